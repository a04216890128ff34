package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

const userColumns = `id, email, name, role, organization_id, password_hash, created_at, email_verified_at`

func scanUser(row pgx.Row) (*peerboard.User, error) {
	var u peerboard.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.OrganizationID, &u.PasswordHash, &u.CreatedAt, &u.EmailVerifiedAt)
	if err != nil {
		return nil, mapError(err, "User")
	}
	return &u, nil
}

// CreateUser stores a new account (PasswordHash already set). An account
// whose EmailVerifiedAt is set (opened by an admin, the CLI or the demo
// seed, who vouch for the address) gets the training completions and CE
// recorded for its email before it existed; any other account gets them
// only when its holder confirms the address (ConfirmEmail). Self-service
// sign-up goes through RegisterApplicant, which also sends the link.
func (db *DB) CreateUser(ctx context.Context, u *peerboard.User) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		return db.createUser(ctx, tx, u)
	})
}

// RegisterApplicant opens a self-registered applicant account: unverified,
// attached to nothing recorded for its email, with a confirmation link
// mailed to the address in the same transaction.
func (db *DB) RegisterApplicant(ctx context.Context, u *peerboard.User) error {
	u.Role, u.OrganizationID, u.EmailVerifiedAt = peerboard.RoleApplicant, nil, nil
	return db.Transact(ctx, func(tx pgx.Tx) error {
		if err := db.createUser(ctx, tx, u); err != nil {
			return err
		}
		return db.sendEmailConfirmation(ctx, tx, u)
	})
}

func (db *DB) createUser(ctx context.Context, tx pgx.Tx, u *peerboard.User) error {
	u.Email = peerboard.NormalizeEmail(u.Email)
	row := tx.QueryRow(ctx, `
		INSERT INTO users (email, name, role, organization_id, password_hash, email_verified_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
		u.Email, u.Name, u.Role, u.OrganizationID, u.PasswordHash, u.EmailVerifiedAt)
	if err := row.Scan(&u.ID, &u.CreatedAt); err != nil {
		err = mapError(err, "An account with that email")
		if peerboard.ErrorCode(err) == peerboard.ECONFLICT {
			return peerboard.FieldErrors("Check the highlighted fields.", map[string]string{
				"email": "An account with that email already exists. Sign in instead.",
			})
		}
		return err
	}
	after := map[string]any{"email": u.Email, "role": u.Role, "organization_id": u.OrganizationID,
		"email_verified": u.EmailVerified()}
	if u.EmailVerified() {
		attached, err := attachByEmail(ctx, tx, u.ID, u.Email)
		if err != nil {
			return err
		}
		after["attached"] = attached
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "user.created", "user", u.ID)
	e.After = after
	return insertAudit(ctx, tx, e)
}

// attachByEmail gives a verified account the training completions and CE
// recorded for its address while no account owned them, and returns how
// many of each. Callers must have proved the account owns email.
func attachByEmail(ctx context.Context, tx pgx.Tx, userID int64, email string) (map[string]int64, error) {
	attached := map[string]int64{}
	for _, table := range []string{"training_completions", "ce_activities"} {
		tag, err := tx.Exec(ctx, `UPDATE `+table+` SET user_id = $1 WHERE person_email = $2 AND user_id IS NULL`,
			userID, email)
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", table, err)
		}
		attached[table] = tag.RowsAffected()
	}
	return attached, nil
}

// UserByID returns the account with id, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id int64) (*peerboard.User, error) {
	return scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByEmail returns the account with email (case-insensitive), or ENOTFOUND.
func (db *DB) UserByEmail(ctx context.Context, email string) (*peerboard.User, error) {
	return scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, peerboard.NormalizeEmail(email)))
}

// UpdatePasswordHash replaces a user's hash, e.g. when argon2 parameters change.
func (db *DB) UpdatePasswordHash(ctx context.Context, id int64, hash string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, id, hash)
	return err
}

// SetUserRole changes a user's role (and organization for trainers), audited.
func (db *DB) SetUserRole(ctx context.Context, id int64, role peerboard.Role, orgID *int64) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		var before peerboard.Role
		if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&before); err != nil {
			return mapError(err, "User")
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = $2, organization_id = $3, updated_at = now() WHERE id = $1`, id, role, orgID); err != nil {
			return mapError(err, "User")
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "user.role_changed", "user", id)
		e.Before, e.After = map[string]any{"role": before}, map[string]any{"role": role, "organization_id": orgID}
		return insertAudit(ctx, tx, e)
	})
}
