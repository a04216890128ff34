package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
	"github.com/peerboard/peerboard/internal/server"
	"github.com/peerboard/peerboard/web"
)

// sessionCookieOf returns the session cookie res sets, or nil.
func (a *testApp) sessionCookieOf(res *response) *http.Cookie {
	a.t.Helper()
	name := a.srv.Sessions().Cookie.Name
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// count runs a SELECT count(*) query; other areas' tests use it too.
func (a *testApp) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// trainingOrg creates a training organization for trainer accounts.
func (a *testApp) trainingOrg(name string) *int64 {
	a.t.Helper()
	id, err := a.db.EnsureDemoOrganization(context.Background(), name, postgres.DateOf(a.now))
	if err != nil {
		a.t.Fatal(err)
	}
	return &id
}

// getWithToken fetches path with only the given session token, as a
// stolen cookie would be replayed.
func (a *testApp) getWithToken(path string, c *http.Cookie) *response {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.ts.URL+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	return a.client().do(req)
}

// postFromOtherSite submits a form the way a browser does from another site.
func (c *client) postFromOtherSite(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	return c.do(req)
}

// wantHeaderValue fails unless res's header key equals want.
func wantHeaderValue(t testing.TB, h http.Header, key, want string) {
	t.Helper()
	if got := h.Get(key); got != want {
		t.Errorf("%s = %q, want %q", key, got, want)
	}
}

// wantBaselineHeaders checks the security headers every response carries.
func wantBaselineHeaders(t testing.TB, h http.Header, https bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"frame-ancestors": "'none'",
		"object-src":      "'none'",
		"base-uri":        "'none'",
	} {
		if directives[name] != want {
			t.Errorf("CSP %s = %q, want %q (CSP %q)", name, directives[name], want, csp)
		}
	}
	script, ok := directives["script-src"]
	if !ok {
		script = directives["default-src"]
	}
	if script == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") {
		t.Errorf("CSP script-src %q allows inline script (CSP %q)", script, csp)
	}
	wantHeaderValue(t, h, "X-Content-Type-Options", "nosniff")
	if h.Get("Referrer-Policy") == "" {
		t.Error("no Referrer-Policy")
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	hsts := h.Get("Strict-Transport-Security")
	switch {
	case https && !strings.Contains(hsts, "max-age="):
		t.Errorf("Strict-Transport-Security = %q over https", hsts)
	case !https && hsts != "":
		t.Errorf("Strict-Transport-Security = %q over plain http", hsts)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	res := app.client().post("/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	c := app.sessionCookieOf(res)
	if c == nil {
		t.Fatalf("login set no session cookie; Set-Cookie: %q", res.Header.Values("Set-Cookie"))
	}
	if c.Name != "peerboard_session" {
		t.Errorf("cookie name %q over http", c.Name)
	}
	if !c.HttpOnly {
		t.Error("session cookie is not HttpOnly")
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("SameSite = %v, want Lax", c.SameSite)
	}
	if c.Path != "/" {
		t.Errorf("Path = %q, want /", c.Path)
	}
	if c.Domain != "" {
		t.Errorf("Domain = %q, want none", c.Domain)
	}
	if c.Secure {
		t.Error("cookie is Secure over plain http: browsers would drop it")
	}
}

// TestSecureCookieOverHTTPS drives the handler directly with an https
// BaseURL: the cookie must be Secure with the __Host- prefix, and HSTS on.
func TestSecureCookieOverHTTPS(t *testing.T) {
	db := pgtest.New(t)
	s := server.New(server.DefaultConfig("https://peerboard.example"), db, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	h := s.Handler()
	hash, err := peerboard.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(context.Background(), &peerboard.User{Email: "ada@example.org", Name: "Ada", Role: peerboard.RoleApplicant, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}

	form := url.Values{"email": {"ada@example.org"}, "password": {testPassword}}
	req := httptest.NewRequest(http.MethodPost, "https://peerboard.example/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://peerboard.example")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login status %d, want 303", rec.Code)
	}
	res := rec.Result()
	var c *http.Cookie
	for _, ck := range res.Cookies() {
		if strings.HasSuffix(ck.Name, "peerboard_session") {
			c = ck
		}
	}
	if c == nil {
		t.Fatalf("no session cookie; Set-Cookie: %q", res.Header.Values("Set-Cookie"))
	}
	// __Host- cookies must be Secure, Path=/ and have no Domain, or browsers refuse them.
	if c.Name != "__Host-peerboard_session" {
		t.Errorf("cookie name %q, want the __Host- prefix", c.Name)
	}
	if !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie flags: Secure=%v HttpOnly=%v Path=%q Domain=%q SameSite=%v", c.Secure, c.HttpOnly, c.Path, c.Domain, c.SameSite)
	}
	wantBaselineHeaders(t, res.Header, true)

	// Static files over https carry HSTS too.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://peerboard.example"+web.Asset("app.css"), nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("static status %d", rec.Code)
	}
	wantBaselineHeaders(t, rec.Result().Header, true)
}

func TestSessionTokenRenewedOnLogin(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	creds := url.Values{"email": {"ada@example.org"}, "password": {testPassword}}

	t.Run("planted token is replaced", func(t *testing.T) {
		// Session fixation: a token the attacker chose must not become the session.
		c := app.client()
		u, _ := url.Parse(app.ts.URL)
		planted := &http.Cookie{Name: app.srv.Sessions().Cookie.Name, Value: "attacker-chosen-token-0123456789abcdef", Path: "/"}
		c.http.Jar.SetCookies(u, []*http.Cookie{planted})
		res := c.post("/login", creds)
		wantStatus(t, res, http.StatusSeeOther)
		got := app.sessionCookieOf(res)
		if got == nil || got.Value == planted.Value {
			t.Fatalf("session token after login = %v, want a fresh one", got)
		}
		wantStatus(t, app.getWithToken("/dashboard", planted), http.StatusSeeOther)
	})

	t.Run("second login gets a new token", func(t *testing.T) {
		c := app.client()
		first := app.sessionCookieOf(c.post("/login", creds))
		second := app.sessionCookieOf(c.post("/login", creds))
		if first == nil || second == nil {
			t.Fatal("login set no cookie")
		}
		if first.Value == second.Value {
			t.Fatal("token unchanged by a second login")
		}
		if res := app.getWithToken("/dashboard", first); res.StatusCode != http.StatusSeeOther {
			t.Errorf("old token still authenticates: status %d", res.StatusCode)
		}
		wantStatus(t, app.getWithToken("/dashboard", second), http.StatusOK)
	})
}

func TestLogoutEndsSession(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	token := app.sessionCookieOf(c.post("/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}}))
	if token == nil {
		t.Fatal("login set no cookie")
	}
	wantStatus(t, app.getWithToken("/dashboard", token), http.StatusOK)

	res := c.post("/logout", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Location(); !strings.HasPrefix(loc, "/login") {
		t.Errorf("logout redirects to %q", loc)
	}
	res = app.getWithToken("/dashboard", token)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Location(); !strings.HasPrefix(loc, "/login?next=") {
		t.Errorf("old token after logout: redirect to %q, want /login", loc)
	}
	if n := app.count(`SELECT count(*) FROM sessions`); n != 0 {
		t.Errorf("%d session rows after logout, want 0", n)
	}
	// Logging out again without a session is a sign-in prompt, not an error.
	res = app.client().post("/logout", nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous logout: status %d, want 401", res.StatusCode)
	}
}

func TestSessionTokenRenewedOnRoleChange(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	old := app.sessionCookieOf(c.post("/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}}))
	if old == nil {
		t.Fatal("login set no cookie")
	}
	if err := app.db.SetUserRole(context.Background(), u.ID, peerboard.RoleReviewer, nil); err != nil {
		t.Fatal(err)
	}
	res := c.get("/dashboard")
	renewed := app.sessionCookieOf(res)
	if renewed == nil || renewed.Value == old.Value {
		t.Fatalf("no new token after a role change (Set-Cookie %q)", res.Header.Values("Set-Cookie"))
	}
	if res := app.getWithToken("/dashboard", old); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
		t.Errorf("pre-change token still works: status %d, Location %q", res.StatusCode, res.Location())
	}
}

func TestNoSessionForAnonymousVisitors(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client()
	var responses []*response
	for _, p := range []string{"/", "/login", "/register", "/verify", "/no-such-page", "/healthz", "/readyz",
		"/dashboard", web.Asset("app.css"), "/static/uswds/css/uswds.min.css"} {
		responses = append(responses, c.get(p))
	}
	responses = append(responses,
		c.post("/login", url.Values{"email": {"ada@example.org"}, "password": {"not the password"}}),
		c.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}}),
		c.post("/register", url.Values{"name": {"Bea"}, "email": {"bea@example.org"}, "password": {"short"}, "confirm": {"short"}}),
		c.postFromOtherSite("/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}}),
	)
	for _, res := range responses {
		if sc := res.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("%s %s (status %d) set a cookie: %q", res.Request.Method, res.Request.URL.Path, res.StatusCode, sc)
		}
	}
	if n := app.count(`SELECT count(*) FROM sessions`); n != 0 {
		t.Errorf("%d session rows after anonymous visits, want 0", n)
	}
	// The check above can fail: one sign-in writes exactly one row.
	app.client().login("ada@example.org")
	if n := app.count(`SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("%d session rows after one sign-in, want 1", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	server.MountFailingRoutes(app.srv)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	anon := app.client()
	ada := app.client().login("ada@example.org")
	tests := []struct {
		name   string
		do     func() *response
		status int
	}{
		{"home page", func() *response { return anon.get("/") }, http.StatusOK},
		{"signed-in page", func() *response { return ada.get("/dashboard") }, http.StatusOK},
		{"redirect", func() *response { return anon.get("/dashboard") }, http.StatusSeeOther},
		{"not found", func() *response { return anon.get("/no-such-page") }, http.StatusNotFound},
		{"static not found", func() *response { return anon.get("/static/nope.js") }, http.StatusNotFound},
		{"static file", func() *response { return anon.get(web.Asset("app.css")) }, http.StatusOK},
		{"health probe", func() *response { return anon.get("/healthz") }, http.StatusOK},
		{"cross-site post", func() *response { return anon.postFromOtherSite("/login", nil) }, http.StatusForbidden},
		{"internal error", func() *response { return anon.get("/test/boom") }, http.StatusInternalServerError},
		{"panic", func() *response { return anon.get("/test/panic") }, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.do()
			wantStatus(t, res, tt.status)
			wantBaselineHeaders(t, res.Header, false)
		})
	}
}

func TestInternalErrorPage(t *testing.T) {
	app := newTestApp(t)
	server.MountFailingRoutes(app.srv)
	for _, path := range []string{"/test/boom", "/test/panic"} {
		t.Run(path, func(t *testing.T) {
			res := app.client().get(path)
			wantStatus(t, res, http.StatusInternalServerError)
			if h1 := res.Text("h1"); h1 != "Something went wrong" {
				t.Errorf("h1 = %q", h1)
			}
			id := res.Header.Get("X-Request-Id")
			if id == "" || !strings.Contains(res.Text("main"), id) {
				t.Errorf("page does not show request id %q: %q", id, res.Text("main"))
			}
			for _, secret := range []string{"boom", "secret", "panic:"} {
				if strings.Contains(res.Body, secret) {
					t.Errorf("page leaks %q", secret)
				}
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	ada := app.client().login("ada@example.org")
	t.Run("signed-in page", func(t *testing.T) {
		wantHeaderValue(t, ada.get("/dashboard").Header, "Cache-Control", "no-store")
	})
	t.Run("sign-in form", func(t *testing.T) {
		wantHeaderValue(t, app.client().get("/login").Header, "Cache-Control", "no-store")
	})
	t.Run("fingerprinted asset", func(t *testing.T) {
		p := web.Asset("app.css")
		if !strings.Contains(p, "?v=") {
			t.Fatalf("web.Asset(app.css) = %q has no fingerprint", p)
		}
		res := app.client().get(p)
		wantStatus(t, res, http.StatusOK)
		cc := res.Header.Get("Cache-Control")
		if !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("Cache-Control = %q, want a year, immutable", cc)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("Content-Type = %q", ct)
		}
	})
	for _, p := range []string{"/static/app.css", "/static/app.css?v=stale"} {
		t.Run("unversioned "+p, func(t *testing.T) {
			res := app.client().get(p)
			wantStatus(t, res, http.StatusOK)
			if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") || cc == "" {
				t.Errorf("Cache-Control = %q, want a short cache without immutable", cc)
			}
		})
	}
	t.Run("layout links fingerprinted assets", func(t *testing.T) {
		res := app.client().get("/")
		for _, want := range []string{web.Asset("app.css"), web.Asset("uswds/css/uswds.min.css")} {
			if res.Doc.Find(`link[href="`+want+`"]`).Length() != 1 {
				t.Errorf("layout does not link %s", want)
			}
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	users := app.count(`SELECT count(*) FROM users`)
	tests := []struct {
		path string
		form url.Values
	}{
		{"/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}}},
		{"/register", url.Values{"name": {"Mallory"}, "email": {"mallory@example.org"}, "password": {testPassword}, "confirm": {testPassword}}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := app.client().postFromOtherSite(tt.path, tt.form)
			wantStatus(t, res, http.StatusForbidden)
			if app.sessionCookieOf(res) != nil {
				t.Error("refused post set a session cookie")
			}
		})
	}
	t.Run("signed-in logout", func(t *testing.T) {
		ada := app.client().login("ada@example.org")
		wantStatus(t, ada.postFromOtherSite("/logout", nil), http.StatusForbidden)
		wantStatus(t, ada.get("/dashboard"), http.StatusOK) // still signed in
	})
	if n := app.count(`SELECT count(*) FROM users`); n != users {
		t.Errorf("users %d → %d after refused posts", users, n)
	}
	if n := app.count(`SELECT count(*) FROM users WHERE email = 'mallory@example.org'`); n != 0 {
		t.Error("cross-site registration created an account")
	}
	// The same posts from the site itself go through, so the 403s above mean something.
	res := app.client().post("/register", tests[1].form)
	wantStatus(t, res, http.StatusSeeOther)
}

func TestLoginThrottling(t *testing.T) {
	wrong := func(email string) url.Values {
		return url.Values{"email": {email}, "password": {"not the password"}}
	}
	right := func(email string) url.Values {
		return url.Values{"email": {email}, "password": {testPassword}}
	}

	t.Run("per account", func(t *testing.T) {
		app := newTestApp(t, func(c *server.Config) { c.LoginAttemptsPerAccount = 3 })
		app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
		app.createUser(peerboard.RoleApplicant, "bea@example.org", nil)
		for i := range 3 {
			res := app.client().post("/login", wrong("ada@example.org"))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: status %d, want 422", i+1, res.StatusCode)
			}
		}
		// The fourth attempt is refused even with the right password, from a fresh client.
		res := app.client().post("/login", right("ADA@example.org"))
		wantStatus(t, res, http.StatusTooManyRequests)
		if app.sessionCookieOf(res) != nil {
			t.Error("throttled login set a session cookie")
		}
		if !strings.Contains(res.Text(".usa-alert"), "Too many") {
			t.Errorf("throttled page says %q", res.Text(".usa-alert"))
		}
		// Another account from the same address is not affected.
		app.client().login("bea@example.org")
	})

	t.Run("per client address", func(t *testing.T) {
		app := newTestApp(t, func(c *server.Config) { c.LoginAttemptsPerClient = 3 })
		app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
		for i, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			res := app.client().post("/login", wrong(email))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: status %d, want 422", i+1, res.StatusCode)
			}
		}
		wantStatus(t, app.client().post("/login", right("ada@example.org")), http.StatusTooManyRequests)

		// X-Forwarded-For is not trusted by default: a forged one does not reset the count.
		c := app.client()
		req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/login", strings.NewReader(right("ada@example.org").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		wantStatus(t, c.do(req), http.StatusTooManyRequests)
	})

	t.Run("trusted proxy", func(t *testing.T) {
		app := newTestApp(t, func(c *server.Config) { c.LoginAttemptsPerClient = 1; c.TrustProxy = true })
		app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
		post := func(xff string) int {
			req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/login", strings.NewReader(right("ada@example.org").Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("X-Forwarded-For", xff)
			return app.client().do(req).StatusCode
		}
		if got := post("198.51.100.1"); got != http.StatusSeeOther {
			t.Fatalf("first client: %d", got)
		}
		if got := post("198.51.100.1"); got != http.StatusTooManyRequests {
			t.Fatalf("first client again: %d, want 429", got)
		}
		if got := post("198.51.100.2"); got != http.StatusSeeOther {
			t.Fatalf("second client behind the proxy: %d, want 303", got)
		}
	})
}

func TestRegistration(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "taken@example.org", nil)

	t.Run("errors keep what was typed", func(t *testing.T) {
		res := app.client().post("/register", url.Values{
			"name": {"Ada Lovelace"}, "email": {"ada@example.org"}, "password": {"short"}, "confirm": {"short"},
		})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if v := res.Doc.Find(`input[name="name"]`).AttrOr("value", ""); v != "Ada Lovelace" {
			t.Errorf("name value = %q", v)
		}
		if v := res.Doc.Find(`input[name="email"]`).AttrOr("value", ""); v != "ada@example.org" {
			t.Errorf("email value = %q", v)
		}
		for _, f := range []string{"password", "confirm"} {
			if v, ok := res.Doc.Find(`input[name="` + f + `"]`).Attr("value"); ok && v != "" {
				t.Errorf("%s echoed back: %q", f, v)
			}
		}
		if strings.Contains(res.Body, `"short"`) {
			t.Error("the typed password appears in the page")
		}
		if msg := res.Text("#password-error"); msg == "" {
			t.Error("no error next to the password field")
		}
		if res.Doc.Find(`#password[aria-invalid="true"]`).Length() != 1 {
			t.Error("password input not marked aria-invalid")
		}
		if !strings.Contains(res.Doc.Find(`#password`).AttrOr("aria-describedby", ""), "password-error") {
			t.Error("password input not described by its error")
		}
		if res.Doc.Find(`.usa-alert--error a[href="#password"]`).Length() != 1 {
			t.Error("error summary does not link to the password field")
		}
		if n := app.count(`SELECT count(*) FROM users WHERE email = 'ada@example.org'`); n != 0 {
			t.Error("an invalid registration created an account")
		}
	})

	t.Run("duplicate email", func(t *testing.T) {
		res := app.client().post("/register", url.Values{
			"name": {"Someone"}, "email": {"Taken@Example.org"}, "password": {testPassword}, "confirm": {testPassword},
		})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := res.Text("#email-error"); !strings.Contains(msg, "already") {
			t.Errorf("email error = %q", msg)
		}
		if v := res.Doc.Find(`input[name="name"]`).AttrOr("value", ""); v != "Someone" {
			t.Errorf("name value = %q", v)
		}
		if n := app.count(`SELECT count(*) FROM users WHERE email = 'taken@example.org'`); n != 1 {
			t.Errorf("%d accounts with the address", n)
		}
	})

	t.Run("success signs in", func(t *testing.T) {
		c := app.client()
		res := c.post("/register", url.Values{
			"name": {"Bea Smith"}, "email": {"bea@example.org"}, "password": {testPassword}, "confirm": {testPassword},
		})
		wantStatus(t, res, http.StatusSeeOther)
		if res.Location() != "/dashboard" {
			t.Errorf("Location = %q", res.Location())
		}
		dash := c.get("/dashboard")
		wantStatus(t, dash, http.StatusOK)
		if !strings.Contains(dash.Text(".usa-alert--success"), "Bea Smith") {
			t.Errorf("no welcome flash: %q", dash.Text(".usa-alert--success"))
		}
		if !strings.Contains(dash.Text("header"), "Bea Smith") {
			t.Error("header does not show who is signed in")
		}
		u, err := app.db.UserByEmail(context.Background(), "bea@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != peerboard.RoleApplicant || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Errorf("stored role %q, hash %.10q", u.Role, u.PasswordHash)
		}
		// A second identical submission is refused, not a second account.
		again := app.client().post("/register", url.Values{
			"name": {"Bea Smith"}, "email": {"bea@example.org"}, "password": {testPassword}, "confirm": {testPassword},
		})
		wantStatus(t, again, http.StatusUnprocessableEntity)
	})

	t.Run("signed-in users skip the forms", func(t *testing.T) {
		c := app.client().login("taken@example.org")
		for _, p := range []string{"/register", "/login"} {
			res := c.get(p)
			if res.StatusCode != http.StatusSeeOther || res.Location() != "/dashboard" {
				t.Errorf("GET %s: %d → %q", p, res.StatusCode, res.Location())
			}
		}
	})
}

func TestLoginFailureIsGeneric(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	wrongPassword := app.client().post("/login", url.Values{"email": {"ada@example.org"}, "password": {"not the password"}})
	unknownEmail := app.client().post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}})
	for _, res := range []*response{wrongPassword, unknownEmail} {
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if n := res.Doc.Find(".usa-error-message").Length(); n != 0 {
			t.Errorf("%d field errors; a failed sign-in must not say which field was wrong", n)
		}
		if app.sessionCookieOf(res) != nil {
			t.Error("failed sign-in set a session cookie")
		}
	}
	a, b := wrongPassword.Text(".usa-alert--error"), unknownEmail.Text(".usa-alert--error")
	if a == "" || a != b {
		t.Errorf("messages differ or are empty: %q vs %q", a, b)
	}
	if v := wrongPassword.Doc.Find(`input[name="email"]`).AttrOr("value", ""); v != "ada@example.org" {
		t.Errorf("email not kept: %q", v)
	}
	if v := wrongPassword.Doc.Find(`input[name="password"]`).AttrOr("value", ""); v != "" {
		t.Errorf("password echoed: %q", v)
	}

	t.Run("empty fields", func(t *testing.T) {
		res := app.client().post("/login", url.Values{})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if res.Text("#email-error") == "" || res.Text("#password-error") == "" {
			t.Error("missing fields are not flagged")
		}
	})
}

func TestLoginNextStaysOnSite(t *testing.T) {
	// One sign-in per case: lift the per-account limit this test is not about.
	app := newTestApp(t, func(c *server.Config) { c.LoginAttemptsPerAccount, c.LoginAttemptsPerClient = 100, 100 })
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	tests := []struct{ next, want string }{
		{"", "/dashboard"},
		{"/verify", "/verify"},
		{"/dashboard?tab=1", "/dashboard?tab=1"},
		{"//evil.example", "/dashboard"},
		{"//evil.example/path", "/dashboard"},
		{"https://evil.example", "/dashboard"},
		{"http://evil.example/dashboard", "/dashboard"},
		{`/\evil.example`, "/dashboard"},
		{"javascript:alert(1)", "/dashboard"},
		{"evil.example", "/dashboard"},
		{"/\t/evil.example", "/dashboard"}, // browsers drop the tab: //evil.example
		{"/\n/evil.example", "/dashboard"},
		{"/%09/evil.example", "/%09/evil.example"}, // an encoded tab stays a harmless local path
		{"/\\/evil.example", "/dashboard"},
	}
	for _, tt := range tests {
		t.Run(tt.next, func(t *testing.T) {
			res := app.client().post("/login", url.Values{"email": {"ada@example.org"}, "password": {testPassword}, "next": {tt.next}})
			wantStatus(t, res, http.StatusSeeOther)
			if got := res.Location(); got != tt.want {
				t.Errorf("Location = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("form carries next", func(t *testing.T) {
		res := app.client().get("/login?next=%2Fverify")
		if v := res.Doc.Find(`input[name="next"]`).AttrOr("value", ""); v != "/verify" {
			t.Errorf("hidden next = %q", v)
		}
	})
}

func TestProbes(t *testing.T) {
	app := newTestApp(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		res := app.client().get(p)
		wantStatus(t, res, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s Content-Type %q", p, ct)
		}
		if app.sessionCookieOf(res) != nil {
			t.Errorf("%s set a cookie", p)
		}
	}
	t.Run("readyz without a database", func(t *testing.T) {
		app.db.Pool.Close()
		wantStatus(t, app.client().get("/readyz"), http.StatusServiceUnavailable)
		wantStatus(t, app.client().get("/healthz"), http.StatusOK)
	})
}

// roleLandings are each role's home route and the roles allowed there.
var roleLandings = []struct {
	path  string
	allow []peerboard.Role
}{
	{"/applications/new", []peerboard.Role{peerboard.RoleApplicant}},
	{"/trainer", []peerboard.Role{peerboard.RoleTrainer}},
	{"/review", []peerboard.Role{peerboard.RoleReviewer, peerboard.RoleAdmin}},
	{"/admin/exams", []peerboard.Role{peerboard.RoleAdmin}},
}

func TestRoleGates(t *testing.T) {
	app := newTestApp(t)
	org := app.trainingOrg("Gate Test Training")
	clients := map[peerboard.Role]*client{}
	for _, r := range peerboard.Roles {
		var orgID *int64
		if r == peerboard.RoleTrainer {
			orgID = org
		}
		email := string(r) + "@example.org"
		app.createUser(r, email, orgID)
		clients[r] = app.client().login(email)
	}
	for _, l := range roleLandings {
		for _, r := range peerboard.Roles {
			allowed := false
			for _, a := range l.allow {
				allowed = allowed || a == r
			}
			t.Run(l.path+"/"+string(r), func(t *testing.T) {
				res := clients[r].get(l.path)
				switch {
				case allowed && res.StatusCode != http.StatusOK:
					t.Errorf("%s: status %d, want 200", r, res.StatusCode)
				case !allowed && res.StatusCode != http.StatusForbidden:
					t.Errorf("%s: status %d, want 403", r, res.StatusCode)
				case !allowed && res.Text("h1") != "You do not have access to this page":
					t.Errorf("403 page h1 = %q", res.Text("h1"))
				}
			})
		}
		t.Run(l.path+"/anonymous", func(t *testing.T) {
			res := app.client().get(l.path)
			wantStatus(t, res, http.StatusSeeOther)
			if want := "/login?next=" + url.QueryEscape(l.path); res.Location() != want {
				t.Errorf("Location = %q, want %q", res.Location(), want)
			}
		})
	}
	t.Run("dashboard sends each role home", func(t *testing.T) {
		want := map[peerboard.Role]string{peerboard.RoleTrainer: "/trainer", peerboard.RoleReviewer: "/review", peerboard.RoleAdmin: "/review"}
		for r, c := range clients {
			res := c.get("/dashboard")
			if w, ok := want[r]; ok {
				if res.StatusCode != http.StatusSeeOther || res.Location() != w {
					t.Errorf("%s: %d → %q, want %s", r, res.StatusCode, res.Location(), w)
				}
			} else {
				wantStatus(t, res, http.StatusOK)
			}
		}
	})
	t.Run("anonymous next round trip", func(t *testing.T) {
		c := app.client()
		res := c.get("/review?page=2")
		res = c.post("/login", url.Values{"email": {"reviewer@example.org"}, "password": {testPassword}, "next": {queryParam(t, res.Location(), "next")}})
		if res.Location() != "/review?page=2" {
			t.Errorf("after sign-in: %q, want /review?page=2", res.Location())
		}
	})
}

func queryParam(t *testing.T, loc, key string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}
