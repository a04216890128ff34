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

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

var resetPathRE = regexp.MustCompile(`/reset-password/[A-Za-z0-9_-]{43}\b`)

// newPassword is what people choose when they reset.
const newPassword = "purple elephant stapler orbit"

// resetPath returns the path of the link in the newest reset mail to email.
func (a *testApp) resetPath(email string) string {
	a.t.Helper()
	var body string
	if err := a.db.Pool.QueryRow(context.Background(), `SELECT body FROM mail_messages WHERE to_address = $1 AND kind = $2
		ORDER BY id DESC LIMIT 1`, email, peerboard.MailPasswordReset).Scan(&body); err != nil {
		a.t.Fatalf("no reset mail to %s: %v", email, err)
	}
	p := resetPathRE.FindString(body)
	if p == "" {
		a.t.Fatalf("no reset link in %q", body)
	}
	return p
}

func (a *testApp) resetMails() int {
	a.t.Helper()
	return a.count(`SELECT count(*) FROM mail_messages WHERE kind = $1`, peerboard.MailPasswordReset)
}

// sessionCookie returns the client's session cookie value, or "".
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.app.ts.URL)
	for _, k := range c.http.Jar.Cookies(u) {
		if strings.HasSuffix(k.Name, "peerboard_session") {
			return k.Value
		}
	}
	return ""
}

// forgot asks for a reset link for email and wants the one answer page.
func (c *client) forgot(email string) *response {
	c.t.Helper()
	res := c.post("/forgot-password", url.Values{"email": {email}})
	wantStatus(c.t, res, http.StatusOK)
	return res
}

// wantLoginFails checks that password no longer signs in as email.
func (c *client) wantLoginFails(email, password string) {
	c.t.Helper()
	res := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		c.t.Errorf("login %s with the old password: status %d, want 422", email, res.StatusCode)
	}
}

// An unknown address gets the very page a known one gets, and no mail.
func TestForgotPasswordSamePage(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()

	res := c.get("/forgot-password")
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`form[method="post"][action="/forgot-password"] label[for="email"] + input#email[type="email"]`).Length() != 1 {
		t.Error("no labelled email field posting to /forgot-password")
	}

	unknown := c.forgot("nobody@example.org")
	if n := app.resetMails(); n != 0 {
		t.Fatalf("%d reset mails for an unknown address", n)
	}
	known := c.forgot("ada@example.org")
	if n := app.resetMails(); n != 1 {
		t.Fatalf("%d reset mails for a known address, want 1", n)
	}
	if got := known.Text("#reset-sent"); !strings.Contains(got, "If an account exists for ada@example.org, we sent a link") ||
		!strings.Contains(got, "one hour") {
		t.Errorf("answer = %q", got)
	}
	page := func(res *response, email string) string {
		html, err := res.Doc.Find("main").Html()
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(html, email, "ADDRESS")
	}
	if a, b := page(unknown, "nobody@example.org"), page(known, "ada@example.org"); a != b {
		t.Errorf("the answers differ:\nunknown: %s\nknown:   %s", a, b)
	}
	if unknown.Doc.Find(`main a[href="/forgot-password"]`).Length() != 1 {
		t.Error("the answer does not offer to ask again")
	}
}

func TestForgotPasswordValidation(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	for _, tc := range []struct{ email, want string }{
		{"", "Enter your email address."},
		{"ada@", "Enter an email address like name@example.org."},
		{"ada example.org", "Enter an email address like name@example.org."},
	} {
		res := c.post("/forgot-password", url.Values{"email": {tc.email}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := res.Text(".usa-form-group--error #email-error"); got != tc.want {
			t.Errorf("%q: error next to the field = %q, want %q", tc.email, got, tc.want)
		}
		if got, _ := res.Doc.Find("input#email").Attr("value"); got != tc.email {
			t.Errorf("%q: input kept as %q", tc.email, got)
		}
		if res.Doc.Find(`.usa-alert--error a[href="#email"]`).Length() != 1 {
			t.Errorf("%q: the error summary does not link to the field", tc.email)
		}
	}
	if n := app.resetMails(); n != 0 {
		t.Errorf("%d reset mails after refused requests", n)
	}
}

// Over the hourly limit the answer stays the same and nothing is sent.
func TestForgotPasswordRateLimit(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	first := c.forgot("ada@example.org").Body
	for i := 1; i < postgres.PasswordResetMailsPerHour+2; i++ {
		if got := c.forgot("ada@example.org").Body; got != first {
			t.Fatalf("request %d answered differently", i+1)
		}
	}
	if n := app.resetMails(); n != postgres.PasswordResetMailsPerHour {
		t.Errorf("%d reset mails, want %d", n, postgres.PasswordResetMailsPerHour)
	}
}

// The mailed link sets a new password, signs in with a fresh session,
// signs out the account's other sessions and works once.
func TestResetPassword(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "rita@example.org", nil)
	elsewhere := app.client().login("ada@example.org")
	wantStatus(t, elsewhere.get("/dashboard"), http.StatusOK)
	// This device is signed in as someone else.
	c := app.client().login("rita@example.org")
	before := c.sessionCookie()
	if before == "" {
		t.Fatal("no session cookie after signing in")
	}

	c.forgot("ada@example.org")
	path := app.resetPath("ada@example.org")
	if strings.Contains(path, "ada") {
		t.Errorf("link %q carries personal data", path)
	}
	res := c.get(path)
	wantStatus(t, res, http.StatusOK)
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer: the token is in the address", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	if !strings.Contains(res.Text("main"), "ada@example.org") ||
		res.Doc.Find(fmt.Sprintf(`form[method="post"][action=%q] button[type="submit"]`, path)).Length() != 1 {
		t.Fatalf("form page = %q; want the address and a form posting to the link", res.Text("main"))
	}
	if got := res.Text("#password-hint"); !strings.Contains(got, "At least 8 characters") {
		t.Errorf("password hint = %q", got)
	}
	if res.Doc.Find(`input#confirm[type="password"][autocomplete="new-password"]`).Length() != 1 {
		t.Error("no confirmation field")
	}

	// Refused passwords: the error beside its field, nothing changed.
	for _, tc := range []struct{ password, confirm, field, want string }{
		{"short", "short", "password", "Use at least 8 characters."},
		{"password123", "password123", "password", "too common"},
		{"ada@example.org", "ada@example.org", "password", "Do not use your email address or name"},
		{newPassword, newPassword + "x", "confirm", "The two passwords do not match."},
	} {
		res := c.post(path, url.Values{"password": {tc.password}, "confirm": {tc.confirm}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		sel := fmt.Sprintf(`.usa-form-group--error #%s-error`, tc.field)
		if got := res.Text(sel); !strings.Contains(got, tc.want) {
			t.Errorf("%q: %s = %q, want %q", tc.password, sel, got, tc.want)
		}
		if res.Doc.Find(fmt.Sprintf(`input#%s[aria-invalid="true"]`, tc.field)).Length() != 1 ||
			res.Doc.Find(fmt.Sprintf(`.usa-alert--error a[href="#%s"]`, tc.field)).Length() != 1 {
			t.Errorf("%q: field not marked invalid or not in the summary", tc.password)
		}
		if v, _ := res.Doc.Find("input#password").Attr("value"); v != "" {
			t.Error("the refused password is echoed back")
		}
	}
	if c.sessionCookie() != before {
		t.Fatal("a refused reset changed the session")
	}
	c.wantLoginFails("ada@example.org", "short")

	res = c.post(path, url.Values{"password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/dashboard" {
		t.Errorf("redirect to %q", res.Location())
	}
	if after := c.sessionCookie(); after == "" || after == before {
		t.Errorf("session cookie %q after the reset, was %q: want a fresh one", after, before)
	}
	res = c.get("/dashboard")
	wantStatus(t, res, http.StatusOK) // a reviewer would be sent to /review
	if flash := res.Text(`[role="status"]`); !strings.Contains(flash, "Your password is changed") || strings.Contains(flash, "confirmed too") {
		t.Errorf("flash = %q", flash)
	}
	if got := res.Text("header strong"); got != "Test applicant" {
		t.Errorf("signed in as %q", got)
	}

	// The other device is signed out; only the new password works.
	if res := elsewhere.get("/dashboard"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
		t.Errorf("the account's other session: status %d to %q, want sent to sign in", res.StatusCode, res.Location())
	}
	if res := app.client().login("rita@example.org").get("/review"); res.StatusCode != http.StatusOK {
		t.Errorf("another account's session was touched: %d", res.StatusCode)
	}
	app.client().wantLoginFails("ada@example.org", testPassword)
	res = app.client().post("/login", url.Values{"email": {"ada@example.org"}, "password": {newPassword}})
	wantStatus(t, res, http.StatusSeeOther)

	// The link is spent: a second submit (double click) and a revisit.
	for _, res := range []*response{c.post(path, url.Values{"password": {"another fine passphrase"}, "confirm": {"another fine passphrase"}}), c.get(path)} {
		wantStatus(t, res, http.StatusGone)
		if !strings.Contains(res.Text("h1"), "already used") || res.Doc.Find(`main a[href="/forgot-password"]`).Length() != 1 {
			t.Errorf("used link: h1 %q, want 'already used' and a link to ask again", res.Text("h1"))
		}
	}
	app.client().wantLoginFails("ada@example.org", "another fine passphrase")
	if n := app.count(`SELECT count(*) FROM audit_events WHERE action = 'user.password_reset'`); n != 1 {
		t.Errorf("%d password_reset events, want 1", n)
	}
}

func TestResetPasswordBadLinks(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	c.forgot("ada@example.org")
	good := app.resetPath("ada@example.org")
	form := url.Values{"password": {newPassword}, "confirm": {newPassword}}

	// A confirmation token is no reset token.
	app.registerClient("Grace Hopper", "grace@example.org")
	confirmToken := strings.TrimPrefix(app.confirmPath("grace@example.org"), "/confirm-email/")
	for _, path := range []string{"/reset-password/" + strings.Repeat("A", 43), "/reset-password/nonsense",
		"/reset-password/" + confirmToken} {
		for _, res := range []*response{c.get(path), c.post(path, form)} {
			wantStatus(t, res, http.StatusNotFound)
			if !strings.Contains(res.Text("h1"), "not valid") || res.Doc.Find(`main a[href="/forgot-password"]`).Length() != 1 {
				t.Errorf("%s %s: h1 = %q, want 'not valid' and a link to ask again", res.Request.Method, path, res.Text("h1"))
			}
		}
	}

	app.now = app.now.Add(peerboard.PasswordResetValidity)
	for _, res := range []*response{c.get(good), c.post(good, form)} {
		wantStatus(t, res, http.StatusGone)
		if !strings.Contains(res.Text("h1"), "expired") || !strings.Contains(res.Text("main"), "one hour") ||
			res.Doc.Find(`main a[href="/forgot-password"]`).Length() != 1 {
			t.Errorf("expired link: %q", res.Text("main"))
		}
	}
	c.wantLoginFails("ada@example.org", newPassword)
}

// The squatting attack: Mallory registered the victim's address first and
// never confirmed it. The victim resets the password through the mailed
// link, owns the account with the address confirmed and their records
// attached, and Mallory is signed out with a password that no longer works.
func TestResetPasswordEndsSquatting(t *testing.T) {
	app := newTestApp(t)
	_, courseID := app.trainingOrgFixture("First Org", "trainer@example.org", false)
	trainer := app.client().login("trainer@example.org")
	res := trainer.post("/trainer/completions/new", url.Values{"person_name": {"Victor Victim"},
		"person_email": {"victim@example.org"}, "course_id": {strconv.FormatInt(courseID, 10)}, "completed_on": {"2026-10-01"}})
	wantStatus(t, res, http.StatusSeeOther)

	mallory := app.registerClient("Mallory", "victim@example.org")
	wantStatus(t, mallory.get("/dashboard"), http.StatusOK)
	// The real owner cannot register.
	res = app.client().post("/register", url.Values{"name": {"Victor Victim"}, "email": {"victim@example.org"},
		"password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	account := app.userByEmail("victim@example.org")
	if account.EmailVerified() {
		t.Fatal("the squatted account is confirmed")
	}

	victim := app.client()
	victim.forgot("victim@example.org")
	path := app.resetPath("victim@example.org")
	wantStatus(t, victim.get(path), http.StatusOK)
	res = victim.post(path, url.Values{"password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	res = victim.get("/dashboard")
	wantStatus(t, res, http.StatusOK)
	if flash := res.Text(`[role="status"]`); !strings.Contains(flash, "victim@example.org is confirmed") {
		t.Errorf("flash = %q", flash)
	}
	if res.Doc.Find("#confirm-email").Length() != 0 {
		t.Error("the dashboard still asks to confirm the address")
	}

	owned := app.userByEmail("victim@example.org")
	if owned.ID != account.ID || !owned.EmailVerified() {
		t.Errorf("account after the reset = %+v; want the same account, confirmed", owned)
	}
	if n := app.count(`SELECT count(*) FROM training_completions WHERE user_id = $1`, owned.ID); n != 1 {
		t.Errorf("%d completions attached, want 1", n)
	}
	if res := mallory.get("/dashboard"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
		t.Errorf("Mallory's session: status %d to %q, want sent to sign in", res.StatusCode, res.Location())
	}
	mallory.wantLoginFails("victim@example.org", testPassword)
	// Mallory's leftover confirmation link confirms nothing new.
	wantStatus(t, app.client().post(app.confirmPath("victim@example.org"), nil), http.StatusOK)
	if n := app.count(`SELECT count(*) FROM audit_events WHERE action = 'user.email_verified' AND entity_id = $1`, owned.ID); n != 1 {
		t.Errorf("%d email_verified events, want 1", n)
	}
}

// The reset pages are public: every role, and nobody, reaches them; none
// is sent to sign in or refused for its role.
func TestResetRoutesArePublic(t *testing.T) {
	app := newTestApp(t)
	for _, route := range []string{"GET /forgot-password", "POST /forgot-password", "GET /reset-password/{token}", "POST /reset-password/{token}"} {
		method, pattern, _ := strings.Cut(route, " ")
		if got, ok := app.srv.PolicyOf(method, pattern); !ok || got != "public" {
			t.Errorf("%s policy = %q (%v), want public", route, got, ok)
		}
	}
	app.trainingOrgFixture("Org", "trainer@example.org", false)
	clients := map[string]*client{"anonymous": app.client(), "trainer": app.client().login("trainer@example.org")}
	for _, role := range []peerboard.Role{peerboard.RoleApplicant, peerboard.RoleReviewer, peerboard.RoleAdmin} {
		email := string(role) + "@example.org"
		app.createUser(role, email, nil)
		clients[string(role)] = app.client().login(email)
	}
	unknown := "/reset-password/" + strings.Repeat("B", 43)
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, c.get("/forgot-password"), http.StatusOK)
			c.forgot(name + "-nobody@example.org")
			wantStatus(t, c.get(unknown), http.StatusNotFound)
			wantStatus(t, c.post(unknown, url.Values{"password": {newPassword}, "confirm": {newPassword}}), http.StatusNotFound)
		})
	}
	// A signed-in person may reset their own password from the link too.
	c := clients["reviewer"]
	c.forgot("reviewer@example.org")
	res := c.post(app.resetPath("reviewer@example.org"), url.Values{"password": {newPassword}, "confirm": {newPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, c.get("/review"), http.StatusOK)
}

// The sign-in page offers the reset.
func TestLoginLinksToForgotPassword(t *testing.T) {
	app := newTestApp(t)
	res := app.client().get("/login")
	wantStatus(t, res, http.StatusOK)
	if got := res.Text(`main a[href="/forgot-password"]`); got != "Forgot your password?" {
		t.Errorf("link = %q", got)
	}
}
