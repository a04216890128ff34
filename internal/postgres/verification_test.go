package postgres_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// confirmToken finds the confirmation link in the newest confirmation mail
// sent to email, and returns its token.
func confirmToken(t *testing.T, db *postgres.DB, email string) string {
	t.Helper()
	var body string
	err := db.Pool.QueryRow(context.Background(), `SELECT body FROM mail_messages
		WHERE to_address = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, email, peerboard.MailConfirmEmail).Scan(&body)
	if err != nil {
		t.Fatalf("no confirmation mail to %s: %v", email, err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(db.BaseURL) + `/confirm-email/([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no confirmation link in %q", body)
	}
	return m[1]
}

// register self-registers an applicant, unconfirmed.
func register(t *testing.T, db *postgres.DB, email string) *peerboard.User {
	t.Helper()
	u := &peerboard.User{Email: email, Name: "Registered " + email, PasswordHash: "x"}
	if err := db.RegisterApplicant(context.Background(), u); err != nil {
		t.Fatalf("RegisterApplicant %s: %v", email, err)
	}
	return u
}

// attachedTo counts the training completions and CE activities linked to userID.
func attachedTo(t *testing.T, db *postgres.DB, userID int64) (training, ce int) {
	t.Helper()
	return ceCount(t, db, `training_completions WHERE user_id = $1`, userID),
		ceCount(t, db, `ce_activities WHERE user_id = $1`, userID)
}

// verificationSetup is an approved organization with a course and a trainer,
// and a victim's training and CE recorded by email before any account.
func verificationSetup(t *testing.T) (*postgres.DB, context.Context, int64, *peerboard.Course) {
	t.Helper()
	db := newCEDB(t)
	tctx, orgID, course := trainingOrg(t, db, "Org One", "trainer@example.org")
	c := &peerboard.Completion{CourseID: course.ID, PersonEmail: "victim@example.org", PersonName: "Victim",
		CompletedOn: ceDay(2026, 10, 1)}
	if err := db.RecordCompletion(tctx, orgID, c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PostCE(tctx, orgID, cefile.Row{Email: "victim@example.org", Name: "Victim", Title: "Ethics",
		Date: ceDay(2026, 9, 1), Hours: 3, Category: peerboard.CEEthics}); err != nil {
		t.Fatal(err)
	}
	return db, tctx, orgID, course
}

// An account registered for someone else's address gets none of their
// records, then or later, until the address is confirmed.
func TestRegisterApplicantAttachesNothing(t *testing.T) {
	db, tctx, orgID, course := verificationSetup(t)
	ctx := context.Background()

	u := register(t, db, "Victim@Example.org")
	if u.EmailVerifiedAt != nil || u.Role != peerboard.RoleApplicant {
		t.Fatalf("registered user = %+v, want an unconfirmed applicant", u)
	}
	stored, err := db.UserByID(ctx, u.ID)
	if err != nil || stored.EmailVerified() {
		t.Fatalf("stored user = %+v, %v; want unconfirmed", stored, err)
	}
	if tr, ce := attachedTo(t, db, u.ID); tr != 0 || ce != 0 {
		t.Errorf("on registration: %d completions and %d CE attached, want none", tr, ce)
	}

	// Later postings for the address do not attach either.
	c := &peerboard.Completion{CourseID: course.ID, PersonEmail: "victim@example.org", PersonName: "Victim",
		CompletedOn: ceDay(2026, 11, 1)}
	if err := db.RecordCompletion(tctx, orgID, c); err != nil || c.UserID != nil {
		t.Errorf("RecordCompletion: user %v, %v; want no account", c.UserID, err)
	}
	rec, err := db.PostCE(tctx, orgID, cefile.Row{Email: "victim@example.org", Name: "Victim", Title: "Later",
		Date: ceDay(2026, 10, 1), Hours: 2, Category: peerboard.CEEthics})
	if err != nil || rec.UserID != nil {
		t.Errorf("PostCE: %+v, %v; want no account", rec, err)
	}
	roster := "email,name,title,date,hours,category\nvictim@example.org,Victim,Roster day,2026-10-02,4,ethics\n"
	if rep, err := db.ImportCERoster(tctx, orgID, "roster.csv", []byte(roster)); err != nil || rep.New != 1 {
		t.Fatalf("ImportCERoster: %+v, %v", rep, err)
	}
	if tr, ce := attachedTo(t, db, u.ID); tr != 0 || ce != 0 {
		t.Errorf("after later postings: %d completions and %d CE attached, want none", tr, ce)
	}
	if recs, err := db.TrainingRecordsOfUser(ctx, u.ID); err != nil || len(recs) != 0 {
		t.Errorf("training records = %+v, %v; want none", recs, err)
	}

	// One mail, with a link whose token is stored only as a hash.
	if n := ceCount(t, db, `mail_messages WHERE kind = $1 AND to_address = 'victim@example.org'`, peerboard.MailConfirmEmail); n != 1 {
		t.Errorf("confirmation mails = %d, want 1", n)
	}
	token := confirmToken(t, db, "victim@example.org")
	if n := ceCount(t, db, `email_verifications WHERE user_id = $1 AND token_hash <> $2 AND expires_at = $3`,
		u.ID, token, ceNow.Add(peerboard.EmailConfirmationValidity)); n != 1 {
		t.Errorf("stored links = %d, want 1 hashed, valid 7 days", n)
	}
	if n := ceCount(t, db, `email_verifications WHERE token_hash LIKE '%' || $1 || '%'`, token); n != 0 {
		t.Error("the token itself is stored")
	}
}

// Confirming attaches everything recorded for the address, once.
func TestConfirmEmail(t *testing.T) {
	db, tctx, orgID, course := verificationSetup(t)
	ctx := context.Background()
	u := register(t, db, "victim@example.org")
	token := confirmToken(t, db, u.Email)

	c, err := db.EmailConfirmationByToken(ctx, token)
	if err != nil || !c.Usable() || c.Email != u.Email || c.UserID != u.ID {
		t.Fatalf("EmailConfirmationByToken = %+v, %v", c, err)
	}
	if stored, _ := db.UserByID(ctx, u.ID); stored.EmailVerified() {
		t.Fatal("looking the link up confirmed the address")
	}

	c, err = db.ConfirmEmail(ctx, token)
	if err != nil || !c.Confirmed {
		t.Fatalf("ConfirmEmail = %+v, %v", c, err)
	}
	stored, err := db.UserByID(ctx, u.ID)
	if err != nil || stored.EmailVerifiedAt == nil || !stored.EmailVerifiedAt.Equal(ceNow) {
		t.Errorf("stored user = %+v, %v; want confirmed now", stored, err)
	}
	if tr, ce := attachedTo(t, db, u.ID); tr != 1 || ce != 1 {
		t.Errorf("after confirming: %d completions and %d CE attached, want 1 and 1", tr, ce)
	}
	trail, err := db.AuditTrail(ctx, "user", u.ID)
	if err != nil || len(trail) != 2 || trail[1].Action != "user.email_verified" ||
		trail[1].ActorID == nil || *trail[1].ActorID != u.ID {
		t.Errorf("audit trail = %+v, %v; want user.created then user.email_verified by the user", trail, err)
	}

	// Confirmed now, later postings attach at once.
	later := &peerboard.Completion{CourseID: course.ID, PersonEmail: "victim@example.org", PersonName: "Victim",
		CompletedOn: ceDay(2026, 11, 2)}
	if err := db.RecordCompletion(tctx, orgID, later); err != nil || later.UserID == nil || *later.UserID != u.ID {
		t.Errorf("RecordCompletion after confirming: user %v, %v", later.UserID, err)
	}

	// The link works once.
	c, err = db.ConfirmEmail(ctx, token)
	if err != nil || c.Confirmed || c.UsedAt == nil {
		t.Errorf("second use = %+v, %v; want used, not confirmed again", c, err)
	}
	if n := ceCount(t, db, `audit_events WHERE action = 'user.email_verified'`); n != 1 {
		t.Errorf("email_verified events = %d, want 1", n)
	}
}

// Used, expired, unknown and stale links change nothing.
func TestConfirmEmailRefusals(t *testing.T) {
	ctx := context.Background()
	unchanged := func(t *testing.T, db *postgres.DB, u *peerboard.User) {
		t.Helper()
		stored, err := db.UserByID(ctx, u.ID)
		if err != nil || stored.EmailVerified() {
			t.Errorf("user = %+v, %v; want still unconfirmed", stored, err)
		}
		if tr, ce := attachedTo(t, db, u.ID); tr != 0 || ce != 0 {
			t.Errorf("%d completions and %d CE attached, want none", tr, ce)
		}
		if n := ceCount(t, db, `audit_events WHERE action = 'user.email_verified'`); n != 0 {
			t.Errorf("email_verified events = %d", n)
		}
	}

	t.Run("expired", func(t *testing.T) {
		db, _, _, _ := verificationSetup(t)
		u := register(t, db, "victim@example.org")
		token := confirmToken(t, db, u.Email)
		db.Now = func() time.Time { return ceNow.Add(peerboard.EmailConfirmationValidity) }
		c, err := db.ConfirmEmail(ctx, token)
		if err != nil || c.Confirmed || !c.Expired || c.UsedAt != nil {
			t.Fatalf("ConfirmEmail = %+v, %v; want expired", c, err)
		}
		unchanged(t, db, u)
		if n := ceCount(t, db, `email_verifications WHERE used_at IS NOT NULL`); n != 0 {
			t.Errorf("expired link marked used")
		}
	})

	for name, token := range map[string]string{
		"unknown":   strings.Repeat("A", 43),
		"malformed": "not-a-token",
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			db, _, _, _ := verificationSetup(t)
			u := register(t, db, "victim@example.org")
			if _, err := db.ConfirmEmail(ctx, token); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
				t.Errorf("ConfirmEmail(%q): %v, want not found", token, err)
			}
			if _, err := db.EmailConfirmationByToken(ctx, token); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
				t.Errorf("EmailConfirmationByToken(%q): %v, want not found", token, err)
			}
			unchanged(t, db, u)
		})
	}

	t.Run("address changed since", func(t *testing.T) {
		db, _, _, _ := verificationSetup(t)
		u := register(t, db, "someone@example.org")
		token := confirmToken(t, db, u.Email)
		// Should the address ever change, the old link must not confirm the new one.
		if _, err := db.Pool.Exec(ctx, `UPDATE users SET email = 'victim@example.org' WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmEmail(ctx, token); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
			t.Errorf("stale link: %v, want not found", err)
		}
		unchanged(t, db, u)
	})
}

func TestResendEmailConfirmation(t *testing.T) {
	db, _, _, _ := verificationSetup(t)
	ctx := context.Background()
	u := register(t, db, "new@example.org")
	uctx := peerboard.NewContextWithUser(ctx, u)

	if err := db.ResendEmailConfirmation(ctx); peerboard.ErrorCode(err) != peerboard.EUNAUTHORIZED {
		t.Errorf("anonymous resend: %v", err)
	}
	// Registration's link and two more fill the hour.
	for i := 1; i < postgres.ConfirmationMailsPerHour; i++ {
		if err := db.ResendEmailConfirmation(uctx); err != nil {
			t.Fatalf("resend %d: %v", i, err)
		}
	}
	if err := db.ResendEmailConfirmation(uctx); peerboard.ErrorCode(err) != peerboard.ERATELIMIT {
		t.Errorf("resend over the limit: %v, want rate limited", err)
	}
	mails := ceCount(t, db, `mail_messages WHERE kind = $1`, peerboard.MailConfirmEmail)
	if mails != postgres.ConfirmationMailsPerHour {
		t.Errorf("confirmation mails = %d, want %d", mails, postgres.ConfirmationMailsPerHour)
	}
	// An hour later the person may ask again; every link still works.
	db.Now = func() time.Time { return ceNow.Add(time.Hour + time.Second) }
	if err := db.ResendEmailConfirmation(uctx); err != nil {
		t.Fatalf("resend an hour later: %v", err)
	}
	if c, err := db.ConfirmEmail(ctx, confirmToken(t, db, u.Email)); err != nil || !c.Confirmed {
		t.Fatalf("newest link: %+v, %v", c, err)
	}
	if err := db.ResendEmailConfirmation(uctx); peerboard.ErrorCode(err) != peerboard.ECONFLICT {
		t.Errorf("resend once confirmed: %v, want conflict", err)
	}
}

// Accounts whose address the creator vouches for get their records at once.
func TestCreateUserVerifiedAttaches(t *testing.T) {
	db, _, _, _ := verificationSetup(t)
	ctx := context.Background()
	verified := db.Now()
	u := &peerboard.User{Email: "victim@example.org", Name: "V", Role: peerboard.RoleApplicant, PasswordHash: "x",
		EmailVerifiedAt: &verified}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if tr, ce := attachedTo(t, db, u.ID); tr != 1 || ce != 1 {
		t.Errorf("%d completions and %d CE attached, want 1 and 1", tr, ce)
	}
	unverified := &peerboard.User{Email: "other@example.org", Name: "O", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, unverified); err != nil {
		t.Fatal(err)
	}
	if n := ceCount(t, db, `mail_messages WHERE to_address = 'other@example.org'`); n != 0 {
		t.Errorf("CreateUser mailed %d messages; only RegisterApplicant sends links", n)
	}
}

// A holder's renewal counts only CE linked to the account, never rows that
// merely carry the holder's email.
func TestRenewalIgnoresEmailOnlyCE(t *testing.T) {
	f := newRenewalFixture(t, "2026-11-23")
	h := f.holder("holder@example.org", "active", "2027-01-10")
	f.ce(h, "Linked ethics", "2026-03-01", 3, peerboard.CEEthics, peerboard.CEVerified)
	if _, err := f.db.Pool.Exec(context.Background(), `INSERT INTO ce_activities (person_email, user_id, title, provider,
		activity_date, hours, category, source, organization_id)
		VALUES ($1, NULL, 'Email only', 'Provider', '2026-04-01', 17, 'core_competencies', 'verified', $2)`,
		h.user.Email, f.orgID); err != nil {
		t.Fatal(err)
	}
	ov, err := f.db.RenewalOverview(h.ctx, h.credID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Items) != 1 || ov.Items[0].Title != "Linked ethics" {
		t.Errorf("cycle items = %+v; want only the linked activity", ov.Items)
	}
	if ov.Progress.Met || ov.Progress.Earned != 3 {
		t.Errorf("progress = %+v; the email-only 17 hours counted", ov.Progress)
	}
}
