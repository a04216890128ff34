package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// A signed-in user who follows a dead link still sees who is signed in and
// their navigation; an anonymous visitor's 404 writes no session.
func TestNotFoundKeepsTheSignedInHeader(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	c := app.client().login("rev@example.org")
	res := c.get("/no/such/page")
	wantStatus(t, res, http.StatusNotFound)
	if !strings.Contains(res.Text(".pb-header-user"), "Signed in as") || res.Doc.Find(`a[href="/review"]`).Length() == 0 {
		t.Errorf("404 header = %q, want the signed-in user and the case queue link", res.Text("header"))
	}
	anon := app.client().get("/no/such/page")
	wantStatus(t, anon, http.StatusNotFound)
	if len(anon.Cookies()) != 0 {
		t.Errorf("anonymous 404 set cookies %v", anon.Cookies())
	}
}
