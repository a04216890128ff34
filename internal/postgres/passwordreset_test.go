package postgres_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// resetToken finds the link in the newest reset mail sent to email and
// returns its token.
func resetToken(t *testing.T, db *postgres.DB, email string) string {
	t.Helper()
	var body string
	err := db.Pool.QueryRow(context.Background(), `SELECT body FROM mail_messages
		WHERE to_address = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, email, peerboard.MailPasswordReset).Scan(&body)
	if err != nil {
		t.Fatalf("no reset mail to %s: %v", email, err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(db.BaseURL) + `/reset-password/([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no reset link in %q", body)
	}
	return m[1]
}

// passwordHash reads the stored hash of userID.
func passwordHash(t *testing.T, db *postgres.DB, userID int64) string {
	t.Helper()
	u, err := db.UserByID(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return u.PasswordHash
}

// Unknown addresses get nothing; a known one gets one link, stored hashed,
// valid one hour, in the same transaction as its mail.
func TestRequestPasswordReset(t *testing.T) {
	db := newCEDB(t)
	ctx := context.Background()
	u := register(t, db, "ada@example.org")

	for _, email := range []string{"nobody@example.org", "", "not an address"} {
		if err := db.RequestPasswordReset(ctx, email); err != nil {
			t.Errorf("RequestPasswordReset(%q) = %v, want nil", email, err)
		}
	}
	if n := ceCount(t, db, `password_resets`); n != 0 {
		t.Fatalf("%d reset links stored for unknown addresses", n)
	}
	if n := ceCount(t, db, `mail_messages WHERE kind = $1`, peerboard.MailPasswordReset); n != 0 {
		t.Fatalf("%d reset mails for unknown addresses", n)
	}

	if err := db.RequestPasswordReset(ctx, "  Ada@Example.ORG "); err != nil {
		t.Fatal(err)
	}
	if n := ceCount(t, db, `mail_messages WHERE kind = $1 AND to_address = 'ada@example.org'`, peerboard.MailPasswordReset); n != 1 {
		t.Errorf("reset mails = %d, want 1", n)
	}
	token := resetToken(t, db, "ada@example.org")
	if n := ceCount(t, db, `password_resets WHERE user_id = $1 AND email = 'ada@example.org' AND token_hash <> $2
		AND expires_at = $3 AND created_at = $4 AND used_at IS NULL`,
		u.ID, token, ceNow.Add(peerboard.PasswordResetValidity), ceNow); n != 1 {
		t.Errorf("stored links = %d, want 1 hashed, valid one hour", n)
	}
	if n := ceCount(t, db, `password_resets WHERE token_hash LIKE '%' || $1 || '%'`, token); n != 0 {
		t.Error("the token itself is stored")
	}
	if n := ceCount(t, db, `river_job WHERE kind = 'send_mail'`); n != 2 { // registration's confirmation and the reset
		t.Errorf("send jobs = %d, want 2", n)
	}
	trail, err := db.AuditTrail(ctx, "user", u.ID)
	if err != nil || len(trail) != 2 || trail[1].Action != "user.password_reset_sent" {
		t.Errorf("audit trail = %+v, %v; want user.created then user.password_reset_sent", trail, err)
	}
	p, err := db.PasswordResetByToken(ctx, token)
	if err != nil || !p.Usable() || p.UserID != u.ID || p.Email != u.Email || p.Name != u.Name {
		t.Errorf("PasswordResetByToken = %+v, %v", p, err)
	}
}

// At most PasswordResetMailsPerHour links an hour, the excess silently dropped.
func TestRequestPasswordResetRateLimit(t *testing.T) {
	db := newCEDB(t)
	ctx := context.Background()
	u := register(t, db, "ada@example.org")
	for i := 0; i < postgres.PasswordResetMailsPerHour+2; i++ {
		if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := ceCount(t, db, `mail_messages WHERE kind = $1`, peerboard.MailPasswordReset); n != postgres.PasswordResetMailsPerHour {
		t.Errorf("reset mails = %d, want %d", n, postgres.PasswordResetMailsPerHour)
	}
	if n := ceCount(t, db, `password_resets`); n != postgres.PasswordResetMailsPerHour {
		t.Errorf("stored links = %d, want %d", n, postgres.PasswordResetMailsPerHour)
	}
	// The limit is per account: another address is not held back.
	register(t, db, "grace@example.org")
	if err := db.RequestPasswordReset(ctx, "grace@example.org"); err != nil {
		t.Fatal(err)
	}
	if n := ceCount(t, db, `mail_messages WHERE kind = $1 AND to_address = 'grace@example.org'`, peerboard.MailPasswordReset); n != 1 {
		t.Errorf("mails to another account = %d, want 1", n)
	}
	// An hour later the person may ask again.
	db.Now = func() time.Time { return ceNow.Add(time.Hour + time.Second) }
	if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	if n := ceCount(t, db, `mail_messages WHERE kind = $1 AND to_address = $2`, peerboard.MailPasswordReset, u.Email); n != postgres.PasswordResetMailsPerHour+1 {
		t.Errorf("reset mails an hour later = %d, want %d", n, postgres.PasswordResetMailsPerHour+1)
	}
}

// A reset sets the hash, spends every outstanding link of the account,
// confirms the address and attaches its records, once.
func TestResetPassword(t *testing.T) {
	db, _, _, _ := verificationSetup(t)
	ctx := context.Background()
	u := register(t, db, "victim@example.org")
	if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	first := resetToken(t, db, u.Email)
	if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	second := resetToken(t, db, u.Email)
	if first == second {
		t.Fatal("two requests mailed the same token")
	}
	if _, err := db.PasswordResetByToken(ctx, second); err != nil {
		t.Fatal(err)
	}
	if passwordHash(t, db, u.ID) != "x" || ceCount(t, db, `password_resets WHERE used_at IS NOT NULL`) != 0 {
		t.Fatal("looking a link up changed something")
	}

	p, err := db.ResetPassword(ctx, second, "new-hash")
	if err != nil || !p.Reset || !p.EmailVerified || p.Account == nil || p.Account.ID != u.ID || !p.Account.EmailVerified() {
		t.Fatalf("ResetPassword = %+v, %v", p, err)
	}
	if got := passwordHash(t, db, u.ID); got != "new-hash" {
		t.Errorf("hash = %q, want the new one", got)
	}
	stored, err := db.UserByID(ctx, u.ID)
	if err != nil || stored.EmailVerifiedAt == nil || !stored.EmailVerifiedAt.Equal(ceNow) {
		t.Errorf("stored user = %+v, %v; want confirmed now", stored, err)
	}
	if tr, ce := attachedTo(t, db, u.ID); tr != 1 || ce != 1 {
		t.Errorf("after the reset: %d completions and %d CE attached, want 1 and 1", tr, ce)
	}
	for _, token := range []string{first, second} {
		p, err := db.PasswordResetByToken(ctx, token)
		if err != nil || p.Usable() || p.UsedAt == nil || !p.UsedAt.Equal(ceNow) {
			t.Errorf("link after the reset = %+v, %v; want used", p, err)
		}
	}
	var actions []string
	trail, err := db.AuditTrail(ctx, "user", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range trail {
		actions = append(actions, e.Action)
		if e.Action == "user.password_reset" && (e.ActorID == nil || *e.ActorID != u.ID) {
			t.Errorf("password_reset actor = %v, want the account", e.ActorID)
		}
	}
	if got := strings.Join(actions, " "); got != "user.created user.password_reset_sent user.password_reset_sent user.email_verified user.password_reset" {
		t.Errorf("audit trail = %s", got)
	}

	// Each link works once; the other one was spent with it.
	for _, token := range []string{second, first} {
		p, err := db.ResetPassword(ctx, token, "another-hash")
		if err != nil || p.Reset || p.UsedAt == nil {
			t.Errorf("reuse = %+v, %v; want used, nothing reset", p, err)
		}
	}
	if got := passwordHash(t, db, u.ID); got != "new-hash" {
		t.Errorf("a spent link changed the hash to %q", got)
	}
	if n := ceCount(t, db, `audit_events WHERE action IN ('user.password_reset', 'user.email_verified')`); n != 2 {
		t.Errorf("%d reset/verify events, want 2", n)
	}

	// A later link of a confirmed account confirms nothing again.
	if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
		t.Fatal(err)
	}
	p, err = db.ResetPassword(ctx, resetToken(t, db, u.Email), "third-hash")
	if err != nil || !p.Reset || p.EmailVerified {
		t.Errorf("reset of a confirmed account = %+v, %v", p, err)
	}
	if n := ceCount(t, db, `audit_events WHERE action = 'user.email_verified'`); n != 1 {
		t.Errorf("email_verified events = %d, want 1", n)
	}
}

// Expired, unknown and stale links change nothing.
func TestResetPasswordRefusals(t *testing.T) {
	ctx := context.Background()
	unchanged := func(t *testing.T, db *postgres.DB, u *peerboard.User) {
		t.Helper()
		stored, err := db.UserByID(ctx, u.ID)
		if err != nil || stored.PasswordHash != "x" || stored.EmailVerified() {
			t.Errorf("user = %+v, %v; want the old hash, unconfirmed", stored, err)
		}
		if n := ceCount(t, db, `audit_events WHERE action IN ('user.password_reset', 'user.email_verified')`); n != 0 {
			t.Errorf("%d reset/verify events", n)
		}
	}

	t.Run("expired", func(t *testing.T) {
		db := newCEDB(t)
		u := register(t, db, "ada@example.org")
		if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
			t.Fatal(err)
		}
		token := resetToken(t, db, u.Email)
		db.Now = func() time.Time { return ceNow.Add(peerboard.PasswordResetValidity) }
		p, err := db.ResetPassword(ctx, token, "new-hash")
		if err != nil || p.Reset || !p.Expired || p.UsedAt != nil {
			t.Fatalf("ResetPassword = %+v, %v; want expired", p, err)
		}
		unchanged(t, db, u)
		if n := ceCount(t, db, `password_resets WHERE used_at IS NOT NULL`); n != 0 {
			t.Error("expired link marked used")
		}
	})

	for name, token := range map[string]string{
		"unknown":   strings.Repeat("A", 43),
		"malformed": "not-a-token",
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			db := newCEDB(t)
			u := register(t, db, "ada@example.org")
			if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ResetPassword(ctx, token, "new-hash"); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
				t.Errorf("ResetPassword(%q): %v, want not found", token, err)
			}
			if _, err := db.PasswordResetByToken(ctx, token); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
				t.Errorf("PasswordResetByToken(%q): %v, want not found", token, err)
			}
			unchanged(t, db, u)
		})
	}

	t.Run("address changed since", func(t *testing.T) {
		db := newCEDB(t)
		u := register(t, db, "someone@example.org")
		if err := db.RequestPasswordReset(ctx, u.Email); err != nil {
			t.Fatal(err)
		}
		token := resetToken(t, db, u.Email)
		if _, err := db.Pool.Exec(ctx, `UPDATE users SET email = 'other@example.org' WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ResetPassword(ctx, token, "new-hash"); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
			t.Errorf("stale link: %v, want not found", err)
		}
		unchanged(t, db, u)
	})

	// A confirmation token is not a reset token, and the other way round.
	t.Run("confirmation token", func(t *testing.T) {
		db := newCEDB(t)
		u := register(t, db, "ada@example.org")
		if _, err := db.ResetPassword(ctx, confirmToken(t, db, u.Email), "new-hash"); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
			t.Errorf("confirmation token as reset: %v, want not found", err)
		}
		unchanged(t, db, u)
	})
}
