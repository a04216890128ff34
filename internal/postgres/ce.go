package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
)

// CERecord is a stored CE activity with whose it is, who posted it and
// whether proof is attached.
type CERecord struct {
	peerboard.CEActivity
	PersonEmail    string
	PersonName     string
	UserID         *int64
	OrganizationID *int64
	ProofFileID    string // "" when no proof is attached
	AuditStatus    string // "", pending, accepted or rejected
	CreatedAt      time.Time
}

// CEProof is a proof file uploaded with a self-reported activity. A
// non-nil CEProof with no bytes is an empty file, which is refused.
type CEProof struct {
	Filename string
	Data     []byte
}

// CECursor marks where a page of a holder's activities ends: the next page
// starts after (Date, ID), newest first. The zero cursor is the first page.
type CECursor struct {
	Date time.Time
	ID   int64
}

const ceSelect = `SELECT a.id, a.title, a.provider, a.activity_date, a.hours::float8, a.category, a.source,
	a.audit_status, a.person_email, a.person_name, a.user_id, a.organization_id,
	coalesce(a.proof_file_id::text, ''), a.created_at
	FROM ce_activities a`

// The list queries, named so ExplainCEQueries shows the plans of exactly these.
const (
	ceOfOrganizationSQL = ceSelect + `
		WHERE a.organization_id = $1 AND a.id < $2
		ORDER BY a.id DESC LIMIT $3`
	ceOfUserSQL = ceSelect + `
		WHERE a.user_id = $1 AND (a.activity_date, a.id) < ($2, $3)
		ORDER BY a.activity_date DESC, a.id DESC LIMIT $4`
	ceOfUserBetweenSQL = `
		SELECT id, title, provider, activity_date, hours::float8, category, source, audit_status = 'rejected'
		FROM ce_activities
		WHERE user_id = $1 AND activity_date BETWEEN $2 AND $3
		ORDER BY activity_date, id`
)

func scanCE(row pgx.Row) (CERecord, error) {
	var r CERecord
	err := row.Scan(&r.ID, &r.Title, &r.Provider, &r.Date, &r.Hours, &r.Category, &r.Source,
		&r.AuditStatus, &r.PersonEmail, &r.PersonName, &r.UserID, &r.OrganizationID, &r.ProofFileID, &r.CreatedAt)
	r.Rejected = r.AuditStatus == "rejected"
	return r, err
}

func collectCE(rows pgx.Rows, err error) ([]CERecord, error) {
	if err != nil {
		return nil, fmt.Errorf("query CE: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CERecord, error) { return scanCE(r) })
}

// errAlreadyLogged is what a holder sees for the same activity logged twice.
var errAlreadyLogged = peerboard.Errorf(peerboard.ECONFLICT, "You already logged this activity.")

// LogCEActivity stores a self-reported activity for the signed-in holder,
// with its optional proof file in the same transaction. It is validated
// against the cycle cycleStart–cycleEnd and today; field errors are keyed
// title, provider, date, hours, category and proof. The same activity
// logged twice stores one record and the second call returns ECONFLICT.
func (db *DB) LogCEActivity(ctx context.Context, a *peerboard.CEActivity, cycleStart, cycleEnd time.Time, proof *CEProof) (*CERecord, error) {
	actor := peerboard.UserFromContext(ctx)
	if !peerboard.CanApply(actor) {
		return nil, peerboard.Errorf(peerboard.EFORBIDDEN, "Only credential holders log CE.")
	}
	a.Title, a.Provider = strings.TrimSpace(a.Title), strings.TrimSpace(a.Provider)
	a.Source = peerboard.CESelfReported
	fields := map[string]string{}
	if err := peerboard.ValidateCEActivity(*a, cycleStart, cycleEnd, db.Today()); err != nil {
		if peerboard.ErrorFields(err) == nil {
			return nil, err
		}
		fields = peerboard.ErrorFields(err)
	}
	if proof != nil {
		// Checked before the transaction too, so a bad file and bad fields
		// are reported together.
		if _, err := peerboard.SniffUpload(proof.Data); err != nil {
			if peerboard.ErrorCode(err) == peerboard.ETOOLARGE {
				return nil, err
			}
			fields["proof"] = peerboard.ErrorMessage(err)
		}
	}
	if len(fields) > 0 {
		return nil, peerboard.FieldErrors("Please correct the activity.", fields)
	}
	rec := &CERecord{CEActivity: *a, PersonEmail: actor.Email, PersonName: actor.Name, UserID: &actor.ID}
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		var fileID *string
		if proof != nil {
			f, err := storeFile(ctx, tx, actor.ID, proof.Filename, proof.Data)
			if err != nil {
				return err
			}
			fileID = &f.ID
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO ce_activities (person_email, person_name, user_id, title, provider, activity_date, hours,
			                           category, source, proof_file_id, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'self_reported', $9, $3)
			ON CONFLICT DO NOTHING
			RETURNING id, created_at, coalesce(proof_file_id::text, '')`,
			actor.Email, actor.Name, actor.ID, a.Title, a.Provider, DateOf(a.Date), a.Hours, string(a.Category), fileID).
			Scan(&rec.ID, &rec.CreatedAt, &rec.ProofFileID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errAlreadyLogged // rolls the stored file back too
		} else if err != nil {
			return mapError(err, "CE activity")
		}
		e := peerboard.NewAuditEvent(actor, "", "ce.logged", "ce_activity", rec.ID)
		e.After = map[string]any{"title": a.Title, "provider": a.Provider, "date": DateOf(a.Date).Format(time.DateOnly),
			"hours": a.Hours, "category": a.Category, "source": a.Source, "proof_file_id": fileID}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	a.ID = rec.ID
	rec.Date = DateOf(a.Date)
	return rec, nil
}

// approvedOrganization returns organization orgID when its board approval
// covers today; only approved organizations post verified CE.
func approvedOrganization(ctx context.Context, tx pgx.Tx, orgID int64, today time.Time, doing string) (*peerboard.Organization, error) {
	var o peerboard.Organization
	err := tx.QueryRow(ctx, `SELECT id, name, approved_from, approved_until FROM training_organizations WHERE id = $1`, orgID).
		Scan(&o.ID, &o.Name, &o.ApprovedFrom, &o.ApprovedUntil)
	if err != nil {
		return nil, mapError(err, "Training organization")
	}
	if !o.ApprovedOn(today) {
		return nil, peerboard.Errorf(peerboard.EFORBIDDEN,
			"Your organization's board approval does not cover today, so it cannot %s. Contact the board to renew it.", doing)
	}
	return &o, nil
}

// PostCE records one verified CE completion by organization orgID for a
// person by email; the provider is the organization's name and the record
// is attached to the person's account when one with a confirmed address
// exists (CreateUser and ConfirmEmail attach later ones). The same completion posted twice is an ECONFLICT and stores
// nothing more. An organization whose approval does not cover today gets
// EFORBIDDEN.
func (db *DB) PostCE(ctx context.Context, orgID int64, row cefile.Row) (*CERecord, error) {
	actor := peerboard.UserFromContext(ctx)
	if actor == nil {
		return nil, peerboard.Errorf(peerboard.EUNAUTHORIZED, "Please sign in first.")
	}
	rec := &CERecord{PersonEmail: row.Email, PersonName: row.Name, OrganizationID: &orgID}
	rec.Title, rec.Date, rec.Hours, rec.Category, rec.Source = row.Title, row.Date, row.Hours, row.Category, peerboard.CEVerified
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		org, err := approvedOrganization(ctx, tx, orgID, db.Today(), "post CE")
		if err != nil {
			return err
		}
		rec.Provider = org.Name
		err = tx.QueryRow(ctx, `
			INSERT INTO ce_activities (person_email, person_name, user_id, title, provider, activity_date, hours,
			                           category, source, organization_id, recorded_by)
			SELECT $1, $2, (SELECT id FROM users WHERE email = $1 AND email_verified_at IS NOT NULL), $3, $4, $5, $6, $7, 'verified', $8, $9
			ON CONFLICT DO NOTHING
			RETURNING id, user_id, created_at`,
			row.Email, row.Name, row.Title, org.Name, row.Date, row.Hours, string(row.Category), orgID, actor.ID).
			Scan(&rec.ID, &rec.UserID, &rec.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return peerboard.Errorf(peerboard.ECONFLICT, "This CE completion is already recorded for %s: %s on %s.",
				row.Email, row.Title, row.Date.Format(time.DateOnly))
		} else if err != nil {
			return mapError(err, "CE completion")
		}
		e := peerboard.NewAuditEvent(actor, "", "ce.posted", "ce_activity", rec.ID)
		e.After = map[string]any{"organization_id": orgID, "person_email": row.Email, "title": row.Title,
			"date": row.Date.Format(time.DateOnly), "hours": row.Hours, "category": row.Category, "user_id": rec.UserID}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// ImportCERoster validates a roster CSV (see package cefile) and, when
// every row is good, imports it for organization orgID in one transaction:
// the rows go through COPY into a temporary table and one INSERT … SELECT
// adds those not yet stored (so the same roster posted twice adds nothing),
// attaching each to its account by confirmed email in the same statement; then the
// import record and its audit event. When any row is bad the report lists
// every bad line and nothing is stored. The error is for the database, or
// EFORBIDDEN when the organization's approval does not cover today.
func (db *DB) ImportCERoster(ctx context.Context, orgID int64, filename string, data []byte) (*cefile.Report, error) {
	actor := peerboard.UserFromContext(ctx)
	if actor == nil {
		return nil, peerboard.Errorf(peerboard.EUNAUTHORIZED, "Please sign in first.")
	}
	sum := sha256.Sum256(data)
	rep := &cefile.Report{Filename: filename, SHA256: hex.EncodeToString(sum[:])}
	today := db.Today()
	rows, rowErrs, err := cefile.Parse(bytes.NewReader(data), today)
	if err != nil {
		return nil, err
	}
	if len(rowErrs) > 0 {
		rep.Errors = rowErrs
		return rep, nil
	}
	rep.Rows = len(rows)
	err = db.Transact(ctx, func(tx pgx.Tx) error {
		org, err := approvedOrganization(ctx, tx, orgID, today, "post CE")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE ce_roster (line int, email text, name text, title text,
			activity_date date, hours numeric(5,2), category text) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("roster table: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"ce_roster"},
			[]string{"line", "email", "name", "title", "activity_date", "hours", "category"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i]
				return []any{int32(r.Line), r.Email, r.Name, r.Title, r.Date, r.Hours, string(r.Category)}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy roster: %w", err)
		}
		err = tx.QueryRow(ctx, `
			WITH ins AS (
				INSERT INTO ce_activities (person_email, person_name, user_id, title, provider, activity_date, hours,
				                           category, source, organization_id, recorded_by)
				SELECT r.email, r.name, u.id, r.title, $1, r.activity_date, r.hours, r.category, 'verified', $2, $3
				FROM ce_roster r LEFT JOIN users u ON u.email = r.email::citext AND u.email_verified_at IS NOT NULL
				ORDER BY r.line
				ON CONFLICT DO NOTHING
				RETURNING 1)
			SELECT count(*) FROM ins`, org.Name, orgID, actor.ID).Scan(&rep.New)
		if err != nil {
			return mapError(err, "CE completion")
		}
		err = tx.QueryRow(ctx, `INSERT INTO ce_imports (organization_id, filename, sha256, row_count, new_records, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, orgID, rep.Filename, rep.SHA256, rep.Rows, rep.New, actor.ID).
			Scan(&rep.ImportID)
		if err != nil {
			return mapError(err, "CE import")
		}
		e := peerboard.NewAuditEvent(actor, "", "ce.roster_imported", "ce_import", rep.ImportID)
		e.After = map[string]any{"organization_id": orgID, "filename": rep.Filename, "sha256": rep.SHA256,
			"rows": rep.Rows, "new_records": rep.New}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, fmt.Errorf("import CE roster %q: %w", filename, err)
	}
	return rep, nil
}

// CEOfOrganization lists the CE organization orgID posted, newest first,
// limit at a time: pass the last id of a page as beforeID for the next (0
// for the first). It returns one more than limit when there is a next page.
func (db *DB) CEOfOrganization(ctx context.Context, orgID, beforeID int64, limit int) ([]CERecord, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	return collectCE(db.Pool.Query(ctx, ceOfOrganizationSQL, orgID, beforeID, limit+1))
}

// CEOfUser lists a holder's CE activities, newest activity date first,
// limit at a time after cursor. It returns one more than limit when there
// is a next page.
func (db *DB) CEOfUser(ctx context.Context, userID int64, after CECursor, limit int) ([]CERecord, error) {
	if after.ID <= 0 {
		after = CECursor{Date: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: math.MaxInt64}
	}
	return collectCE(db.Pool.Query(ctx, ceOfUserSQL, userID, DateOf(after.Date), after.ID, limit+1))
}

// CEOfUserBetween returns all of a holder's activities dated from through
// to (inclusive), the input of peerboard.EvaluateCE. A cycle holds a few
// dozen at most, so this is not paged.
func (db *DB) CEOfUserBetween(ctx context.Context, userID int64, from, to time.Time) ([]peerboard.CEActivity, error) {
	rows, err := db.Pool.Query(ctx, ceOfUserBetweenSQL, userID, DateOf(from), DateOf(to))
	if err != nil {
		return nil, fmt.Errorf("CE of user: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.CEActivity, error) {
		var a peerboard.CEActivity
		err := r.Scan(&a.ID, &a.Title, &a.Provider, &a.Date, &a.Hours, &a.Category, &a.Source, &a.Rejected)
		return a, err
	})
}

// ExplainCEQueries returns the plans (EXPLAIN ANALYZE) of the holder's CE
// queries for userID over from–to and of the organization's CE list, so
// benchmarks can show that they read their indexes.
func (db *DB) ExplainCEQueries(ctx context.Context, userID, orgID int64, from, to time.Time) (map[string]string, error) {
	queries := []struct {
		name string
		sql  string
		args []any
	}{
		{"CEOfUserBetween", ceOfUserBetweenSQL, []any{userID, DateOf(from), DateOf(to)}},
		{"CEOfUser", ceOfUserSQL, []any{userID, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), int64(math.MaxInt64), 26}},
		{"CEOfOrganization", ceOfOrganizationSQL, []any{orgID, int64(math.MaxInt64), 26}},
	}
	out := map[string]string{}
	for _, q := range queries {
		rows, err := db.Pool.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF) "+q.sql, q.args...)
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", q.name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		out[q.name] = strings.Join(lines, "\n")
	}
	return out, nil
}
