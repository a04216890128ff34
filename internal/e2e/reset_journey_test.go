package e2e

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// TestPasswordResetJourney walks the self-service reset in headless
// Chromium: a person whose account was never confirmed forgets the
// password, asks for a link from the sign-in page, opens it from the mail,
// is refused a weak password, chooses a good one and lands signed in with
// the address confirmed. axe-core runs on every page, error states included.
func TestPasswordResetJourney(t *testing.T) {
	ctx := context.Background()
	site := newSite(t)
	hash, err := peerboard.HashPassword("a password long forgotten")
	if err != nil {
		t.Fatal(err)
	}
	pat := &peerboard.User{Email: "pat@example.org", Name: "Pat Forget", PasswordHash: hash}
	if err := site.DB.RegisterApplicant(ctx, pat); err != nil {
		t.Fatal(err)
	}
	b := site.newBrowser()

	b.open("/login")
	b.press(`main a[href="/forgot-password"]`, http.StatusOK)
	b.wantPath("/forgot-password")
	b.fill("#email", "pat@")
	b.press(`form[action="/forgot-password"] button[type="submit"]`, http.StatusUnprocessableEntity)
	b.waitVisible("#email-error")
	if got := b.value("#email"); got != "pat@" {
		t.Errorf("email after the refusal = %q", got)
	}
	b.fill("#email", "pat@example.org")
	b.press(`form[action="/forgot-password"] button[type="submit"]`, http.StatusOK)
	if got := b.text("#reset-sent"); !strings.Contains(got, "If an account exists for pat@example.org") {
		t.Errorf("answer = %q", got)
	}

	b.open(resetLink(t, site, "pat@example.org"))
	b.fill("#password", "short")
	b.fill("#confirm", "short")
	b.press(`main form button[type="submit"]`, http.StatusUnprocessableEntity)
	b.waitVisible("#password-error")
	if b.count(`.usa-alert--error a[href="#password"]`) != 1 {
		t.Error("the error summary does not link to the password")
	}
	b.fill("#password", "violet harbor lantern quiz")
	b.fill("#confirm", "violet harbor lantern quiz")
	b.press(`main form button[type="submit"]`, http.StatusOK)
	b.wantPath("/dashboard")
	if flash := b.flash(); !strings.Contains(flash, "Your password is changed") || !strings.Contains(flash, "confirmed too") {
		t.Errorf("flash after the reset = %q", flash)
	}
	if got := b.text("header"); !strings.Contains(got, "Pat Forget") {
		t.Errorf("header = %q, want Pat signed in", got)
	}
	if u, err := site.DB.UserByEmail(ctx, "pat@example.org"); err != nil || !u.EmailVerified() {
		t.Errorf("account after the reset = %+v, %v; want the address confirmed", u, err)
	}
}

// resetLink returns the path of the link in the newest reset mail to email.
func resetLink(t *testing.T, site *site, email string) string {
	t.Helper()
	msgs, err := site.DB.MailMessages(context.Background(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To != email || m.Kind != peerboard.MailPasswordReset {
			continue
		}
		link := regexp.MustCompile(`https?://\S+/reset-password/\S+`).FindString(m.Body)
		u, err := url.Parse(link)
		if link == "" || err != nil {
			t.Fatalf("no link in the reset mail: %q", m.Body)
		}
		return u.Path
	}
	t.Fatalf("no reset mail to %s", email)
	return ""
}
