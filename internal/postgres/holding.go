package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// HeldCredential is a credential as its holder's pages need it: the record,
// its type's rules, the holder's contact for mail and the daily job's
// reinstatement flag.
type HeldCredential struct {
	peerboard.Credential
	Type                  *peerboard.CredentialType
	HolderName            string
	HolderEmail           string
	ReinstatementRequired bool
}

const heldCredentialSelect = `SELECT c.id, c.number, c.user_id, c.credential_type_id, t.code, t.name, c.application_id,
	c.status, c.first_name, c.last_name, c.family_modifier, c.issued_on, c.expires_on, c.version, c.updated_at,
	u.name, u.email, c.reinstatement_required_at IS NOT NULL
	FROM credentials c JOIN credential_types t ON t.id = c.credential_type_id JOIN users u ON u.id = c.user_id`

// heldCredential reads credential id (locked FOR UPDATE when lock is set)
// with its type, inside tx.
func heldCredential(ctx context.Context, tx pgx.Tx, id int64, lock bool) (*HeldCredential, error) {
	q := heldCredentialSelect + ` WHERE c.id = $1`
	if lock {
		q += ` FOR UPDATE OF c`
	}
	var h HeldCredential
	c := &h.Credential
	err := tx.QueryRow(ctx, q, id).Scan(&c.ID, &c.Number, &c.UserID, &c.CredentialTypeID, &c.CredentialTypeCode,
		&c.CredentialTypeName, &c.ApplicationID, &c.Status, &c.FirstName, &c.LastName, &c.FamilyModifier,
		&c.IssuedOn, &c.ExpiresOn, &c.Version, &c.UpdatedAt, &h.HolderName, &h.HolderEmail, &h.ReinstatementRequired)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	if h.Type, err = credentialTypeTx(ctx, tx, c.CredentialTypeID); err != nil {
		return nil, err
	}
	return &h, nil
}

// ownHeldCredential is heldCredential for the holder in ctx: another
// person's credential is ENOTFOUND, so its id reveals nothing.
func ownHeldCredential(ctx context.Context, tx pgx.Tx, id int64, lock bool) (*HeldCredential, error) {
	h, err := heldCredential(ctx, tx, id, lock)
	if err != nil {
		return nil, err
	}
	if u := peerboard.UserFromContext(ctx); u == nil || u.ID != h.UserID || !peerboard.CanApply(u) {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "Credential not found.")
	}
	return h, nil
}

// HolderCredential returns a credential of the holder in ctx with its type,
// or ENOTFOUND when it is someone else's.
func (db *DB) HolderCredential(ctx context.Context, id int64) (*HeldCredential, error) {
	var h *HeldCredential
	err := db.Transact(ctx, func(tx pgx.Tx) (err error) {
		h, err = ownHeldCredential(ctx, tx, id, false)
		return err
	})
	return h, err
}

// ChangeCredentialStatus makes the holder's own choice of status for the
// credential they saw at version: Inactive, Surrendered, or Active again
// from Inactive (only before the expiry date has passed). In one
// transaction it updates the credential (the public verification shows it
// at once), queues StatusChangedMail and writes the audit event. A stale
// version is an ECONFLICT and changes nothing.
func (db *DB) ChangeCredentialStatus(ctx context.Context, id int64, version int, to peerboard.CredentialStatus) (*HeldCredential, error) {
	var h *HeldCredential
	err := db.Transact(ctx, func(tx pgx.Tx) (err error) {
		h, err = db.changeCredentialStatus(ctx, tx, id, version, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// changeCredentialStatus is ChangeCredentialStatus inside tx. The audit
// event is written last, after the mail is queued.
func (db *DB) changeCredentialStatus(ctx context.Context, tx pgx.Tx, id int64, version int, to peerboard.CredentialStatus) (*HeldCredential, error) {
	h, err := ownHeldCredential(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if version != h.Version {
		return nil, peerboard.Errorf(peerboard.ECONFLICT,
			"This credential changed while you were looking at it: it is now %s. Review its current state below.", h.Status.Label())
	}
	if err := peerboard.CheckCredentialTransition(h.Status, to, peerboard.ActorApplicant); err != nil {
		return nil, err
	}
	if h.Status == peerboard.CredInactive && to == peerboard.CredActive {
		if err := peerboard.CheckReactivation(*h.Type, h.ExpiresOn, db.Today()); err != nil {
			return nil, err
		}
	}
	from := h.Status
	err = tx.QueryRow(ctx, `UPDATE credentials SET status = $2, version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING version, updated_at`, id, to).Scan(&h.Version, &h.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	h.Status = to
	mail := peerboard.StatusChangedMail(h.HolderEmail, h.HolderName, h.Number, h.CredentialTypeName, to, db.BaseURL)
	if err := db.queueMail(ctx, tx, mail); err != nil {
		return nil, err
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "credential.status_changed", "credential", id)
	e.Before = map[string]any{"status": from, "version": version}
	e.After = map[string]any{"status": to, "version": h.Version}
	e.Reason = "Changed by the holder"
	if err := insertAudit(ctx, tx, e); err != nil {
		return nil, fmt.Errorf("status change of credential %d: %w", id, err)
	}
	return h, nil
}
