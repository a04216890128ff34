package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
	"github.com/peerboard/peerboard/internal/server"
)

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// testApp is the real router over a fresh database, served by httptest.
type testApp struct {
	t   testing.TB
	db  *postgres.DB
	srv *server.Server
	ts  *httptest.Server
	// now is the clock the server reads; tests may move it.
	now time.Time
}

// newTestApp starts the portal on a fresh database. Options adjust the config.
func newTestApp(t testing.TB, opts ...func(*server.Config)) *testApp {
	t.Helper()
	db := pgtest.New(t)
	app := &testApp{t: t, db: db, now: time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return app.now }
	cfg := server.DefaultConfig("http://peerboard.test")
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	app.srv = server.New(cfg, db, log)
	app.ts = httptest.NewServer(app.srv.Handler())
	t.Cleanup(app.ts.Close)
	return app
}

// createUser stores an account with testPassword and a confirmed email
// address, as an admin would open it. Trainers get orgID.
func (a *testApp) createUser(role peerboard.Role, email string, orgID *int64) *peerboard.User {
	a.t.Helper()
	hash, err := peerboard.HashPassword(testPassword)
	if err != nil {
		a.t.Fatal(err)
	}
	verified := a.now
	u := &peerboard.User{Email: email, Name: "Test " + string(role), Role: role, OrganizationID: orgID, PasswordHash: hash,
		EmailVerifiedAt: &verified}
	if err := a.db.CreateUser(context.Background(), u); err != nil {
		a.t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// client is a browser-like client with its own cookie jar that does not follow redirects.
type client struct {
	t    testing.TB
	app  *testApp
	http *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a read response with its body parsed for selector queries.
type response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Location returns the redirect target's path and query.
func (r *response) Location() string { return r.Header.Get("Location") }

// Text returns the trimmed text of the first element matching sel.
func (r *response) Text(sel string) string { return strings.TrimSpace(r.Doc.Find(sel).First().Text()) }

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Response: res, Body: string(b), Doc: doc}
}

// get fetches path.
func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.app.ts.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post submits a form to path as a same-origin browser would.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.app.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// login signs in as email with testPassword and fails the test otherwise.
func (c *client) login(email string) *client {
	c.t.Helper()
	res := c.post("/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303; body: %s", email, res.StatusCode, res.Text(".usa-alert"))
	}
	return c
}

// wantStatus fails the test when res has another status.
func wantStatus(t testing.TB, res *response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; alerts: %q", res.Request.Method, res.Request.URL.Path,
			res.StatusCode, want, res.Text(".usa-alert"))
	}
}
