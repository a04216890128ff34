package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// publicCredentialSelect reads everything the public verification shows and
// nothing else, in one statement: the credential, its type and its public
// discipline aggregated by a LATERAL subquery (one row per credential, so a
// name search with many matches stays one query). Last updated is the later
// of the credential's own change and its newest public discipline action;
// greatest ignores the NULL when there is none.
const publicCredentialSelect = `SELECT c.number, c.first_name, c.last_name, t.name, t.code, c.status,
	c.family_modifier, c.issued_on, c.expires_on, greatest(c.updated_at, d.latest), coalesce(d.actions, '[]')
	FROM credentials c
	JOIN credential_types t ON t.id = c.credential_type_id
	CROSS JOIN LATERAL (
		SELECT json_agg(json_build_object('action', a.action, 'summary', a.public_summary,
		                                  'effective_on', a.effective_on, 'ends_on', a.ends_on)
		                ORDER BY a.effective_on DESC, a.id DESC) AS actions,
		       max(a.created_at) AS latest
		FROM discipline_actions a
		WHERE a.credential_id = c.id AND a.public
	) d`

// verifyByNumberSQL looks a credential up by its canonical number (unique index).
const verifyByNumberSQL = publicCredentialSelect + ` WHERE c.number = $1`

// verifyByNameSQL matches names exactly, ignoring case, through
// credentials_name_idx; it pages by number after $3, fetching $4 rows.
const verifyByNameSQL = publicCredentialSelect + `
	WHERE lower(c.last_name) = lower($1) AND lower(c.first_name) = lower($2) AND c.number > $3
	ORDER BY c.number
	LIMIT $4`

func scanPublicCredential(row pgx.Row) (*peerboard.PublicCredential, error) {
	var (
		pc              peerboard.PublicCredential
		first, last     string
		status          peerboard.CredentialStatus
		issued, expires time.Time
		discipline      []byte
	)
	err := row.Scan(&pc.Number, &first, &last, &pc.CredentialType, &pc.CredentialTypeCode, &status,
		&pc.FamilyModifier, &issued, &expires, &pc.LastUpdated, &discipline)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	pc.Name = first + " " + last
	pc.Status = string(status)
	pc.StatusLabel = status.PublicLabel()
	pc.HL7Status = status.HL7()
	pc.IssuedOn = issued.Format(time.DateOnly)
	pc.ExpiresOn = expires.Format(time.DateOnly)
	pc.LastUpdated = pc.LastUpdated.UTC()
	pc.Discipline = []peerboard.PublicDiscipline{}
	if err := json.Unmarshal(discipline, &pc.Discipline); err != nil {
		return nil, fmt.Errorf("public discipline of %s: %w", pc.Number, err)
	}
	return &pc, nil
}

// PublicCredentialByNumber returns the public record of the credential with
// the canonical number (see peerboard.NormalizeCredentialNumber), or an
// ENOTFOUND error naming the number.
func (db *DB) PublicCredentialByNumber(ctx context.Context, number string) (*peerboard.PublicCredential, error) {
	pc, err := scanPublicCredential(db.Pool.QueryRow(ctx, verifyByNumberSQL, number))
	if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "No credential with number %s", number)
	}
	return pc, err
}

// PublicCredentialsByName returns the public records of credentials whose
// holder's first and last names equal first and last, ignoring case,
// ordered by number and starting after the number after ("" for the first
// page). At most limit are returned; more reports whether others follow.
func (db *DB) PublicCredentialsByName(ctx context.Context, first, last, after string, limit int) (out []peerboard.PublicCredential, more bool, err error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.Pool.Query(ctx, verifyByNameSQL, last, first, after, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("credentials by name: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		pc, err := scanPublicCredential(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, *pc)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("credentials by name: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// ExplainVerification returns the query plans of a lookup by number and of
// a name search, so benchmarks can show that verification reads indexes.
func (db *DB) ExplainVerification(ctx context.Context, number, first, last string) (string, error) {
	var out []string
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{verifyByNumberSQL, []any{number}},
		{verifyByNameSQL, []any{last, first, "", 51}},
	} {
		rows, err := db.Pool.Query(ctx, "EXPLAIN "+q.sql, q.args...)
		if err != nil {
			return "", fmt.Errorf("explain verification: %w", err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return "", fmt.Errorf("explain verification: %w", err)
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n"), nil
}
