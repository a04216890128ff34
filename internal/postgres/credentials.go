package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// issueCredential creates the Active credential for an application inside
// tx: a new number from the sequence with its check character, today's
// issue date and an expiry one cycle on. The public name is copied from the
// application; the "F" modifier from its lived-experience attestation.
func issueCredential(ctx context.Context, tx pgx.Tx, a *peerboard.Application, t *peerboard.CredentialType, today time.Time) (*peerboard.Credential, error) {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT nextval('credential_number_seq')`).Scan(&seq); err != nil {
		return nil, fmt.Errorf("credential number: %w", err)
	}
	appID := a.ID
	c := &peerboard.Credential{
		Number:             peerboard.FormatCredentialNumber(t.NumberPrefix, seq),
		UserID:             a.ApplicantID,
		CredentialTypeID:   t.ID,
		CredentialTypeCode: t.Code,
		CredentialTypeName: t.Name,
		ApplicationID:      &appID,
		Status:             peerboard.CredActive,
		FirstName:          a.Details.FirstName,
		LastName:           a.Details.LastName,
		FamilyModifier:     a.LivedExperience.FamilyModifier(),
		IssuedOn:           today,
		ExpiresOn:          t.ExpiryFor(today),
		Version:            1,
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO credentials (number, user_id, credential_type_id, application_id, status,
		                         first_name, last_name, family_modifier, issued_on, expires_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING id, updated_at`,
		c.Number, c.UserID, c.CredentialTypeID, c.ApplicationID, c.Status,
		c.FirstName, c.LastName, c.FamilyModifier, c.IssuedOn, c.ExpiresOn).Scan(&c.ID, &c.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "A credential of this type for this person")
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "credential.issued", "credential", c.ID)
	e.After = map[string]any{"number": c.Number, "status": c.Status, "issued_on": c.IssuedOn.Format(time.DateOnly),
		"expires_on": c.ExpiresOn.Format(time.DateOnly), "application_id": a.ID}
	if err := insertAudit(ctx, tx, e); err != nil {
		return nil, err
	}
	return c, nil
}

const credentialSelect = `SELECT c.id, c.number, c.user_id, c.credential_type_id, t.code, t.name, c.application_id,
	c.status, c.first_name, c.last_name, c.family_modifier, c.issued_on, c.expires_on, c.version, c.updated_at
	FROM credentials c JOIN credential_types t ON t.id = c.credential_type_id`

func scanCredential(row pgx.Row) (*peerboard.Credential, error) {
	var c peerboard.Credential
	err := row.Scan(&c.ID, &c.Number, &c.UserID, &c.CredentialTypeID, &c.CredentialTypeCode, &c.CredentialTypeName,
		&c.ApplicationID, &c.Status, &c.FirstName, &c.LastName, &c.FamilyModifier, &c.IssuedOn, &c.ExpiresOn,
		&c.Version, &c.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	return &c, nil
}

// CredentialsOfUser lists a holder's credentials, newest first.
func (db *DB) CredentialsOfUser(ctx context.Context, userID int64) ([]peerboard.Credential, error) {
	rows, err := db.Pool.Query(ctx, credentialSelect+` WHERE c.user_id = $1 ORDER BY c.issued_on DESC, c.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("credentials of user: %w", err)
	}
	defer rows.Close()
	var out []peerboard.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}
