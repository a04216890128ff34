package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

var confirmPathRE = regexp.MustCompile(`/confirm-email/[A-Za-z0-9_-]{43}\b`)

// registerClient registers an applicant through the form and returns the
// signed-in client.
func (a *testApp) registerClient(name, email string) *client {
	a.t.Helper()
	c := a.client()
	res := c.post("/register", url.Values{"name": {name}, "email": {email}, "password": {testPassword}, "confirm": {testPassword}})
	wantStatus(a.t, res, http.StatusSeeOther)
	return c
}

// confirmPath returns the path of the link in the newest confirmation
// mail to email.
func (a *testApp) confirmPath(email string) string {
	a.t.Helper()
	var body string
	if err := a.db.Pool.QueryRow(context.Background(), `SELECT body FROM mail_messages WHERE to_address = $1 AND kind = $2
		ORDER BY id DESC LIMIT 1`, email, peerboard.MailConfirmEmail).Scan(&body); err != nil {
		a.t.Fatalf("no confirmation mail to %s: %v", email, err)
	}
	p := confirmPathRE.FindString(body)
	if p == "" {
		a.t.Fatalf("no confirmation link in %q", body)
	}
	return p
}

func (a *testApp) userByEmail(email string) *peerboard.User {
	a.t.Helper()
	u, err := a.db.UserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// Register, read the mail, open its link signed out on another device,
// confirm: the address is confirmed and the dashboard stops asking.
func TestRegisterAndConfirmEmail(t *testing.T) {
	app := newTestApp(t)
	c := app.registerClient("Ada Lovelace", "ada@example.org")

	res := c.get("/dashboard")
	wantStatus(t, res, http.StatusOK)
	if flash := res.Text(`[role="status"]`); !strings.Contains(flash, "Check your inbox") || !strings.Contains(flash, "ada@example.org") {
		t.Errorf("flash = %q, want it to send the person to their inbox", flash)
	}
	banner := res.Text("#confirm-email")
	if !strings.Contains(banner, "Confirm your email address") || !strings.Contains(banner, "ada@example.org") ||
		!strings.Contains(banner, "count only after you confirm") {
		t.Errorf("banner = %q", banner)
	}
	if res.Doc.Find(`#confirm-email form[method="post"][action="/confirm-email/resend"] button`).Length() != 1 {
		t.Error("the banner has no resend button")
	}

	path := app.confirmPath("ada@example.org")
	if strings.Contains(path, "ada") {
		t.Errorf("link %q carries personal data", path)
	}
	other := app.client() // another device, signed out
	res = other.get(path)
	wantStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer: the token is in the address", got)
	}
	if !strings.Contains(res.Text("main"), "ada@example.org") ||
		res.Doc.Find(fmt.Sprintf(`form[method="post"][action=%q] button`, path)).Length() != 1 {
		t.Fatalf("ask page = %q; want the address and a confirm button", res.Text("main"))
	}
	if app.userByEmail("ada@example.org").EmailVerified() {
		t.Fatal("opening the link confirmed the address: a mail scanner would confirm it")
	}

	res = other.post(path, nil)
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("h1"); got != "Your email address is confirmed" {
		t.Errorf("h1 = %q", got)
	}
	if res.Doc.Find(`main a[href="/login"]`).Length() != 1 {
		t.Error("a signed-out person gets no sign-in link")
	}
	if !app.userByEmail("ada@example.org").EmailVerified() {
		t.Fatal("the address is not confirmed")
	}

	res = c.get("/dashboard")
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find("#confirm-email").Length() != 0 {
		t.Error("the dashboard still asks to confirm")
	}

	// The link is spent.
	for _, res := range []*response{other.get(path), other.post(path, nil)} {
		wantStatus(t, res, http.StatusGone)
		if !strings.Contains(res.Text("h1"), "already used") {
			t.Errorf("used link h1 = %q", res.Text("h1"))
		}
	}
}

// Signed in as the account's holder, the page links to the dashboard.
func TestConfirmEmailSignedIn(t *testing.T) {
	app := newTestApp(t)
	c := app.registerClient("Ada Lovelace", "ada@example.org")
	res := c.post(app.confirmPath("ada@example.org"), nil)
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`main a[href="/dashboard"]`).Length() != 1 {
		t.Error("no dashboard link for the signed-in holder")
	}
}

func TestConfirmEmailBadLinks(t *testing.T) {
	app := newTestApp(t)
	app.registerClient("Ada Lovelace", "ada@example.org")
	good := app.confirmPath("ada@example.org")
	c := app.client()

	for _, path := range []string{"/confirm-email/" + strings.Repeat("A", 43), "/confirm-email/nonsense", "/confirm-email/resend"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusNotFound)
		if !strings.Contains(res.Text("h1"), "not valid") {
			t.Errorf("GET %s h1 = %q", path, res.Text("h1"))
		}
		if path != "/confirm-email/resend" {
			wantStatus(t, c.post(path, nil), http.StatusNotFound)
		}
	}

	app.now = app.now.Add(peerboard.EmailConfirmationValidity)
	for _, res := range []*response{c.get(good), c.post(good, nil)} {
		wantStatus(t, res, http.StatusGone)
		if !strings.Contains(res.Text("h1"), "expired") {
			t.Errorf("expired link h1 = %q", res.Text("h1"))
		}
	}
	if app.userByEmail("ada@example.org").EmailVerified() {
		t.Error("a bad link confirmed the address")
	}
}

func TestResendConfirmation(t *testing.T) {
	app := newTestApp(t)
	c := app.registerClient("Ada Lovelace", "ada@example.org")
	first := app.confirmPath("ada@example.org")

	// Registration's mail and two more fill the hour.
	for i := 1; i < postgres.ConfirmationMailsPerHour; i++ {
		res := c.post("/confirm-email/resend", nil)
		wantStatus(t, res, http.StatusSeeOther)
		if flash := c.get(res.Location()).Text(`[role="status"]`); !strings.Contains(flash, "We sent a new confirmation link to ada@example.org") {
			t.Errorf("flash = %q", flash)
		}
	}
	wantStatus(t, c.post("/confirm-email/resend", nil), http.StatusTooManyRequests)
	if n := app.count(`SELECT count(*) FROM mail_messages WHERE kind = $1`, peerboard.MailConfirmEmail); n != postgres.ConfirmationMailsPerHour {
		t.Errorf("%d confirmation mails, want %d", n, postgres.ConfirmationMailsPerHour)
	}
	if newest := app.confirmPath("ada@example.org"); newest == first {
		t.Error("the resent mail carries the old link")
	}

	// Anonymous visitors cannot ask; confirmed accounts are told so.
	wantStatus(t, app.client().post("/confirm-email/resend", nil), http.StatusUnauthorized)
	app.createUser(peerboard.RoleApplicant, "grace@example.org", nil)
	g := app.client().login("grace@example.org")
	if res := g.get("/dashboard"); res.Doc.Find("#confirm-email").Length() != 0 {
		t.Error("a confirmed account is asked to confirm")
	}
	res := g.post("/confirm-email/resend", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if flash := g.get(res.Location()).Text(`[role="status"]`); !strings.Contains(flash, "already confirmed") {
		t.Errorf("flash = %q", flash)
	}
	if n := app.count(`SELECT count(*) FROM mail_messages WHERE to_address = 'grace@example.org'`); n != 0 {
		t.Errorf("%d mails to a confirmed account", n)
	}
}

// The attack of the security review: registering the victim's address
// first must not hand over the victim's training.
func TestRegisteringSomeoneElsesEmailGainsNothing(t *testing.T) {
	app := newTestApp(t)
	_, courseID := app.trainingOrgFixture("First Org", "trainer@example.org", false)
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	trainer := app.client().login("trainer@example.org")
	record := func(date string) {
		t.Helper()
		res := trainer.post("/trainer/completions/new", url.Values{"person_name": {"Victor Victim"},
			"person_email": {"victim@example.org"}, "course_id": {strconv.FormatInt(courseID, 10)}, "completed_on": {date}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	record("2026-10-01") // before anyone registered the address

	app.registerClient("Mallory", "victim@example.org")
	attacker := app.userByEmail("victim@example.org")
	record("2026-11-01") // after

	if n := app.count(`SELECT count(*) FROM training_completions WHERE user_id = $1`, attacker.ID); n != 0 {
		t.Errorf("%d of the victim's completions attached to the attacker's account", n)
	}
	if res := trainer.get("/trainer"); strings.Contains(res.Text("main"), "Linked") {
		t.Error("the trainer sees the completions linked to an account")
	}

	// The attacker applies; the reviewer's checklist counts no training.
	ctx := peerboard.NewContextWithUser(context.Background(), attacker)
	a, err := app.db.CreateApplication(ctx, attacker.ID, app.cpsrpID(), peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}
	in := draftInput()
	if a, err = app.db.SubmitApplication(ctx, a.ID, a.Version, &in); err != nil {
		t.Fatal(err)
	}
	res := app.client().login("rev@example.org").get(fmt.Sprintf("/review/applications/%d", a.ID))
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find("#training").Length() != 0 {
		t.Errorf("training shown on the attacker's case: %q", res.Text("#training"))
	}
	for _, key := range []string{"training_hours", "ethics_module"} {
		row := res.Doc.Find(fmt.Sprintf(`#checklist tr[data-key=%q]`, key))
		if row.Length() != 1 || row.Find(".bg-success-darker").Length() != 0 {
			t.Errorf("checklist %s = %q, want present and not met", key, strings.TrimSpace(row.Text()))
		}
	}

	// Only the owner of the mailbox can confirm; then the records follow.
	app.now = app.now.Add(time.Minute)
	wantStatus(t, app.client().post(app.confirmPath("victim@example.org"), nil), http.StatusOK)
	if n := app.count(`SELECT count(*) FROM training_completions WHERE user_id = $1`, attacker.ID); n != 2 {
		t.Errorf("%d completions attached after confirming, want 2", n)
	}
}
