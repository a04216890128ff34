package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// ConfirmationMailsPerHour bounds the confirmation links one account may be
// sent in an hour, registration's included: each goes to an address its
// holder may not own.
const ConfirmationMailsPerHour = 3

// tokenBytes is the entropy of a confirmation token.
const tokenBytes = 32

// newConfirmationToken returns a random token for a link and the hash that
// is stored in its place.
func newConfirmationToken() (token, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("confirmation token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken reports whether token could be one newConfirmationToken
// made, so garbage never reaches the database.
func wellFormedToken(token string) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == tokenBytes
}

// sendEmailConfirmation stores a new confirmation link for u's address and
// queues its mail, in the caller's transaction.
func (db *DB) sendEmailConfirmation(ctx context.Context, tx pgx.Tx, u *peerboard.User) error {
	token, hash, err := newConfirmationToken()
	if err != nil {
		return err
	}
	now := db.Now()
	expires := now.Add(peerboard.EmailConfirmationValidity)
	if _, err := tx.Exec(ctx, `INSERT INTO email_verifications (token_hash, user_id, email, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5)`, hash, u.ID, u.Email, expires, now); err != nil {
		return fmt.Errorf("store confirmation link: %w", err)
	}
	return db.queueMail(ctx, tx, peerboard.ConfirmEmailMail(u.Email, token, expires, db.BaseURL))
}

// ResendEmailConfirmation mails the user in ctx a new confirmation link.
// A confirmed address is an ECONFLICT; more than ConfirmationMailsPerHour
// links in the past hour is an ERATELIMIT. Earlier links keep working.
func (db *DB) ResendEmailConfirmation(ctx context.Context) error {
	actor := peerboard.UserFromContext(ctx)
	if actor == nil {
		return peerboard.Errorf(peerboard.EUNAUTHORIZED, "Please sign in first.")
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		// The row lock makes two quick resends count one after the other.
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, actor.ID))
		if err != nil {
			return err
		}
		if u.EmailVerified() {
			return peerboard.Errorf(peerboard.ECONFLICT, "Your email address is already confirmed.")
		}
		var recent int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM email_verifications WHERE user_id = $1 AND created_at > $2`,
			u.ID, db.Now().Add(-time.Hour)).Scan(&recent); err != nil {
			return fmt.Errorf("count confirmation links: %w", err)
		}
		if recent >= ConfirmationMailsPerHour {
			return peerboard.Errorf(peerboard.ERATELIMIT,
				"We sent %d confirmation links in the past hour. Check your inbox and spam folder, or try again in an hour.", recent)
		}
		if err := db.sendEmailConfirmation(ctx, tx, u); err != nil {
			return err
		}
		e := peerboard.NewAuditEvent(actor, "", "user.email_confirmation_sent", "user", u.ID)
		e.After = map[string]any{"email": u.Email}
		return insertAudit(ctx, tx, e)
	})
}

// EmailConfirmation is what a confirmation link stands for.
type EmailConfirmation struct {
	UserID    int64
	Email     string
	ExpiresAt time.Time
	UsedAt    *time.Time
	// Expired is true when the link had expired at the time of the check.
	Expired bool
	// Confirmed is true when ConfirmEmail confirmed the address just now.
	Confirmed bool

	role       peerboard.Role
	verifiedAt *time.Time // the account's, before this link was used
}

// Usable reports whether the link may still confirm its address.
func (c *EmailConfirmation) Usable() bool { return c.UsedAt == nil && !c.Expired }

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// confirmationByToken reads (and with lock, locks) the link and its
// account. An unknown token, or one sent to an address the account no
// longer has, is ENOTFOUND.
func (db *DB) confirmationByToken(ctx context.Context, q rowQuerier, token string, lock bool) (*EmailConfirmation, error) {
	if !wellFormedToken(token) {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "Confirmation link not found.")
	}
	sql := `SELECT v.user_id, v.email, v.expires_at, v.used_at, u.email_verified_at, u.role
		FROM email_verifications v JOIN users u ON u.id = v.user_id AND u.email = v.email
		WHERE v.token_hash = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var c EmailConfirmation
	err := q.QueryRow(ctx, sql, hashToken(token)).Scan(&c.UserID, &c.Email, &c.ExpiresAt, &c.UsedAt, &c.verifiedAt, &c.role)
	if err != nil {
		return nil, mapError(err, "Confirmation link")
	}
	c.Expired = !db.Now().Before(c.ExpiresAt)
	return &c, nil
}

// EmailConfirmationByToken looks a confirmation link up without using it,
// for the page that asks the person to confirm. Unknown is ENOTFOUND.
func (db *DB) EmailConfirmationByToken(ctx context.Context, token string) (*EmailConfirmation, error) {
	return db.confirmationByToken(ctx, db.Pool, token, false)
}

// ConfirmEmail uses a confirmation link. When it is unused and unexpired,
// one transaction marks the account's address verified and the link used,
// attaches the training completions and CE recorded for the address that
// no account owns yet, and writes the audit event; Confirmed is then true.
// A used or expired link changes nothing (see UsedAt and Expired); an
// unknown one is ENOTFOUND.
func (db *DB) ConfirmEmail(ctx context.Context, token string) (*EmailConfirmation, error) {
	var c *EmailConfirmation
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = db.confirmationByToken(ctx, tx, token, true); err != nil || !c.Usable() {
			return err
		}
		now := db.Now()
		if _, err := tx.Exec(ctx, `UPDATE email_verifications SET used_at = $2 WHERE token_hash = $1`,
			hashToken(token), now); err != nil {
			return fmt.Errorf("use confirmation link: %w", err)
		}
		c.UsedAt, c.Confirmed = &now, true
		if c.verifiedAt != nil { // confirmed earlier with another link
			return nil
		}
		return verifyEmail(ctx, tx, c.UserID, c.role, c.Email, now)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// verifyEmail marks the account's address verified as of now, attaches the
// training completions and CE recorded for email while no account owned
// them, and writes the audit event, in the caller's transaction. Callers
// must have proved that the person acting reads mail at email, with a link
// sent there (confirmation or password reset), and that the account still
// has that address.
func verifyEmail(ctx context.Context, tx pgx.Tx, userID int64, role peerboard.Role, email string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE users SET email_verified_at = $2, updated_at = $2 WHERE id = $1`,
		userID, now); err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	attached, err := attachByEmail(ctx, tx, userID, email)
	if err != nil {
		return err
	}
	// The person proving the address acts, whoever is signed in on this
	// device: the link may be opened anywhere.
	e := peerboard.NewAuditEvent(&peerboard.User{ID: userID, Role: role}, "", "user.email_verified", "user", userID)
	e.After = map[string]any{"email": email, "attached": attached}
	return insertAudit(ctx, tx, e)
}
