package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// PasswordResetMailsPerHour bounds the reset links one account may be sent
// in an hour: anyone can ask for them, for any address.
const PasswordResetMailsPerHour = 3

// RequestPasswordReset mails a reset link to the account registered with
// email, storing the link's hash and queueing the mail in one transaction.
// It answers nil whether or not such an account exists, and sends nothing,
// silently, once PasswordResetMailsPerHour links went out in the past hour:
// the caller must not be able to tell these cases apart.
func (db *DB) RequestPasswordReset(ctx context.Context, email string) error {
	email = peerboard.NormalizeEmail(email)
	// Made before the lookup, so an unknown address costs the same work.
	token, hash, err := newConfirmationToken()
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		// The row lock makes two quick requests count one after the other.
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1 FOR UPDATE`, email))
		if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		now := db.Now()
		var recent int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > $2`,
			u.ID, now.Add(-time.Hour)).Scan(&recent); err != nil {
			return fmt.Errorf("count reset links: %w", err)
		}
		if recent >= PasswordResetMailsPerHour {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, email, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5)`, hash, u.ID, u.Email, now.Add(peerboard.PasswordResetValidity), now); err != nil {
			return fmt.Errorf("store reset link: %w", err)
		}
		if err := db.queueMail(ctx, tx, peerboard.PasswordResetMail(u.Email, token, db.BaseURL)); err != nil {
			return err
		}
		// The actor is whoever asked, usually nobody signed in.
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "user.password_reset_sent", "user", u.ID)
		e.After = map[string]any{"email": u.Email}
		return insertAudit(ctx, tx, e)
	})
}

// PasswordReset is what a password reset link stands for.
type PasswordReset struct {
	UserID int64
	Email  string
	// Name is the account's, so the new password can be checked against it.
	Name      string
	ExpiresAt time.Time
	UsedAt    *time.Time
	// Expired is true when the link had expired at the time of the check.
	Expired bool
	// Reset is true when ResetPassword set the new password just now;
	// Account is then the account, for signing in.
	Reset   bool
	Account *peerboard.User
	// EmailVerified is true when the reset also confirmed the address.
	EmailVerified bool

	role       peerboard.Role
	verifiedAt *time.Time // the account's, before this link was used
}

// Usable reports whether the link may still set a password.
func (p *PasswordReset) Usable() bool { return p.UsedAt == nil && !p.Expired }

// resetByToken reads (and with lock, locks) the link and its account. An
// unknown token, or one sent to an address the account no longer has, is
// ENOTFOUND.
func (db *DB) resetByToken(ctx context.Context, q rowQuerier, token string, lock bool) (*PasswordReset, error) {
	if !wellFormedToken(token) {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "Reset link not found.")
	}
	sql := `SELECT p.user_id, p.email, u.name, p.expires_at, p.used_at, u.email_verified_at, u.role
		FROM password_resets p JOIN users u ON u.id = p.user_id AND u.email = p.email
		WHERE p.token_hash = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var p PasswordReset
	err := q.QueryRow(ctx, sql, hashToken(token)).Scan(&p.UserID, &p.Email, &p.Name, &p.ExpiresAt, &p.UsedAt, &p.verifiedAt, &p.role)
	if err != nil {
		return nil, mapError(err, "Reset link")
	}
	p.Expired = !db.Now().Before(p.ExpiresAt)
	return &p, nil
}

// PasswordResetByToken looks a reset link up without using it, for the
// page that asks for the new password. Unknown is ENOTFOUND.
func (db *DB) PasswordResetByToken(ctx context.Context, token string) (*PasswordReset, error) {
	return db.resetByToken(ctx, db.Pool, token, false)
}

// ResetPassword uses a reset link to set the account's password to hash.
// When the link is unused and unexpired, one transaction stores the hash,
// spends this link and every other outstanding one of the account,
// confirms the address if it was not (the link proved the person reads
// mail there; what was recorded for it attaches as on confirmation), and
// writes the audit events; Reset is then true. A used or expired link
// changes nothing (see UsedAt and Expired); an unknown one is ENOTFOUND.
func (db *DB) ResetPassword(ctx context.Context, token, hash string) (*PasswordReset, error) {
	var p *PasswordReset
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		var err error
		if p, err = db.resetByToken(ctx, tx, token, true); err != nil || !p.Usable() {
			return err
		}
		now := db.Now()
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`,
			p.UserID, hash, now); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		spent, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
			p.UserID, now)
		if err != nil {
			return fmt.Errorf("spend reset links: %w", err)
		}
		if p.verifiedAt == nil {
			if err := verifyEmail(ctx, tx, p.UserID, p.role, p.Email, now); err != nil {
				return err
			}
			p.EmailVerified = true
		}
		e := peerboard.NewAuditEvent(&peerboard.User{ID: p.UserID, Role: p.role}, "", "user.password_reset", "user", p.UserID)
		e.After = map[string]any{"email": p.Email, "email_verified": p.EmailVerified, "links_spent": spent.RowsAffected()}
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
		if p.Account, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, p.UserID)); err != nil {
			return err
		}
		p.UsedAt, p.Reset = &now, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
