package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRegisterSignOutSignIn is a new applicant's first visit, in a real
// browser: register (after one refused password), sign out, sign in, with
// axe-core on every page and the keyboard's first stop checked.
func TestRegisterSignOutSignIn(t *testing.T) {
	start := time.Now()
	site := newSite(t)
	b := site.newBrowser()

	// Home.
	if status := b.visit("/"); status != http.StatusOK {
		t.Fatalf("home: status %d", status)
	}
	b.checkA11y()
	b.checkSkipLink("/")

	// Register, first with a password that is too short.
	if status := b.submit(`header a[href="/register"]`); status != http.StatusOK {
		t.Fatalf("register form: status %d", status)
	}
	b.wantPath("/register")
	b.checkA11y()
	b.checkSkipLink("/register")

	b.fill("#name", "Ada Lovelace")
	b.fill("#email", "ada@example.org")
	b.fill("#password", "short")
	b.fill("#confirm", "short")
	if status := b.submit(`form[action="/register"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: status %d, want 422", status)
	}
	b.waitVisible("#password-error")
	if msg := b.text("#password-error"); !strings.Contains(msg, "at least 8") {
		t.Errorf("password error = %q", msg)
	}
	if got := b.value("#name"); got != "Ada Lovelace" {
		t.Errorf("name after the error = %q, want what was typed", got)
	}
	if got := b.value("#email"); got != "ada@example.org" {
		t.Errorf("email after the error = %q, want what was typed", got)
	}
	if got := b.value("#password"); got != "" {
		t.Errorf("password echoed back: %q", got)
	}
	if b.count(`.usa-alert--error a[href="#password"]`) != 1 {
		t.Error("the error summary does not link to the password field")
	}
	b.checkA11y()

	// The error summary's link moves focus to the field.
	b.click(`.usa-alert--error a[href="#password"]`)
	if got := eval[string](b, `document.activeElement.id`); got != "password" {
		t.Errorf("summary link focuses %q, want #password", got)
	}

	b.fill("#password", password)
	b.fill("#confirm", password)
	if status := b.submit(`form[action="/register"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("register: status %d", status)
	}
	b.wantPath("/dashboard")
	if flash := b.text(`[role="status"]`); !strings.Contains(flash, "Welcome, Ada Lovelace") || !strings.Contains(flash, "Check your inbox") {
		t.Errorf("flash = %q", flash)
	}
	if who := b.text("header"); !strings.Contains(who, "Ada Lovelace") {
		t.Errorf("header = %q, want the signed-in name", who)
	}
	b.checkA11y()
	u, err := site.DB.UserByEmail(context.Background(), "ada@example.org")
	if err != nil {
		t.Fatalf("account not stored: %v", err)
	}
	if u.Name != "Ada Lovelace" || u.Role != "applicant" {
		t.Errorf("stored %q as %q", u.Name, u.Role)
	}

	// Sign out.
	if status := b.submit(`form[action="/logout"] button`); status != http.StatusOK {
		t.Fatalf("sign out: status %d", status)
	}
	b.wantPath("/login?signed_out=1")
	if msg := b.text(`main [role="status"]`); !strings.Contains(msg, "signed out") {
		t.Errorf("sign-out message = %q", msg)
	}
	if b.count(`form[action="/logout"]`) != 0 {
		t.Error("still shows a sign-out button")
	}
	b.checkA11y()
	if status := b.visit("/dashboard"); status != http.StatusOK {
		t.Fatalf("dashboard after sign-out: status %d", status)
	}
	b.wantPath("/login?next=%2Fdashboard")

	// A wrong password first: one generic message, email kept.
	b.fill("#email", "ada@example.org")
	b.fill("#password", "not my password")
	if status := b.submit(`form[action="/login"] button[type="submit"]`); status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: status %d, want 422", status)
	}
	if msg := b.text(".usa-alert--error"); !strings.Contains(msg, "not right") {
		t.Errorf("login error = %q", msg)
	}
	if got := b.value("#email"); got != "ada@example.org" {
		t.Errorf("email after a failed sign-in = %q", got)
	}
	b.checkA11y()

	// Sign in; next brings her back to the dashboard.
	b.fill("#password", password)
	if status := b.submit(`form[action="/login"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("sign in: status %d", status)
	}
	b.wantPath("/dashboard")
	if who := b.text("header"); !strings.Contains(who, "Ada Lovelace") {
		t.Errorf("header after sign-in = %q", who)
	}
	b.checkA11y()
	b.checkSkipLink("/dashboard")

	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}

// TestPhone checks the public pages on a phone: no sideways scrolling, the
// menu button opens the navigation (so USWDS's script runs under the CSP),
// and axe-core passes.
func TestPhone(t *testing.T) {
	site := newSite(t)
	b := site.newBrowser()
	b.phone()
	for _, p := range []string{"/", "/register", "/login"} {
		if status := b.visit(p); status != http.StatusOK {
			t.Fatalf("%s: status %d", p, status)
		}
		b.checkReflow()
		b.checkA11y()
	}
	if b.count(`header a[href="/register"]:not([hidden])`) == 0 {
		t.Fatal("no navigation link to register")
	}
	b.click(".usa-menu-btn")
	b.waitVisible(`.usa-nav.is-visible a[href="/register"]`)
	if status := b.submit(`.usa-nav a[href="/register"]`); status != http.StatusOK {
		t.Fatalf("register from the phone menu: status %d", status)
	}
	b.wantPath("/register")

	// Signed in, the menu holds who is signed in and the sign-out button.
	site.createUser("applicant", "bea@example.org", "Bea Smith", nil)
	b.visit("/login")
	b.fill("#email", "bea@example.org")
	b.fill("#password", password)
	if status := b.submit(`form[action="/login"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("sign in: status %d", status)
	}
	b.checkReflow()
	b.checkA11y()
	b.click(".usa-menu-btn")
	b.waitVisible(".usa-nav.is-visible .pb-header-user")
	if who := b.text(".pb-header-user"); !strings.Contains(who, "Bea Smith") {
		t.Errorf("menu shows %q", who)
	}
	if status := b.submit(`form[action="/logout"] button`); status != http.StatusOK {
		t.Fatalf("sign out: status %d", status)
	}
	b.wantPath("/login?signed_out=1")
}

// TestHarnessCatchesViolations proves checkA11y and the skip-link check can
// fail: a page with known problems must be reported.
func TestHarnessCatchesViolations(t *testing.T) {
	site := newSite(t)
	b := site.newBrowser()
	b.visit("/")
	// Break the page the way a careless template would.
	eval[bool](b, `(() => {
		document.querySelector(".usa-skipnav").remove();
		const i = document.createElement("input"); document.querySelector("main").append(i);
		const img = document.createElement("img"); img.src = "data:,"; document.querySelector("main").append(img);
		return true; })()`)

	rec := &recorder{TB: t}
	b.in(rec).checkA11y()
	for _, rule := range []string{"label", "image-alt"} {
		if !strings.Contains(rec.msg, "- "+rule+" ") {
			t.Errorf("checkA11y did not report %q; it said:\n%s", rule, rec.msg)
		}
	}
	if !rec.failed {
		t.Error("checkA11y did not fail the test")
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Error(args ...any) {
	r.failed = true
	for _, a := range args {
		if s, ok := a.(string); ok {
			r.msg += s
		}
	}
}
func (r *recorder) Helper() {}
