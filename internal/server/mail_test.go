package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func storeMail(t *testing.T, app *testApp, n int) {
	t.Helper()
	_, err := app.db.Pool.Exec(context.Background(), `INSERT INTO mail_messages (to_address, subject, body, kind)
		SELECT 'h' || i || '@example.org', 'Message ' || i, 'Body of message ' || i, 'reminder' FROM generate_series(1, $1) i`, n)
	if err != nil {
		t.Fatal(err)
	}
}

func TestMailCatcher(t *testing.T) {
	for _, tt := range []struct {
		stored   int
		wantNext bool
	}{{50, false}, {51, true}} {
		t.Run(fmt.Sprintf("%d messages", tt.stored), func(t *testing.T) {
			app := newTestApp(t)
			storeMail(t, app, tt.stored)
			app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
			c := app.client().login("admin@example.org")
			res := c.get("/admin/mail")
			wantStatus(t, res, http.StatusOK)
			if n := res.Doc.Find("tbody tr").Length(); n != 50 {
				t.Errorf("%d rows on the first page, want 50", n)
			}
			next, hasNext := res.Doc.Find("a.usa-pagination__next-page").Attr("href")
			if hasNext != tt.wantNext {
				t.Fatalf("next link present = %v, want %v", hasNext, tt.wantNext)
			}
			if hasNext {
				page2 := c.get(next)
				if n := page2.Doc.Find("tbody tr").Length(); n != 1 || !strings.Contains(page2.Text("tbody"), "Message 1") {
					t.Errorf("second page: %d rows %q, want only the oldest message", n, page2.Text("tbody"))
				}
			}
			link, _ := res.Doc.Find("tbody a").First().Attr("href")
			msg := c.get(link)
			wantStatus(t, msg, http.StatusOK)
			if !strings.Contains(msg.Text(".pb-mail-body"), fmt.Sprintf("Body of message %d", tt.stored)) {
				t.Errorf("message page body = %q", msg.Text(".pb-mail-body"))
			}
			wantStatus(t, c.get("/admin/mail/999999"), http.StatusNotFound)
			wantStatus(t, c.get("/admin/mail/abc"), http.StatusNotFound)
		})
	}
}

func TestMailCatcherIsForAdminsOnly(t *testing.T) {
	app := newTestApp(t)
	storeMail(t, app, 1)
	for _, role := range []peerboard.Role{peerboard.RoleApplicant, peerboard.RoleReviewer} {
		app.createUser(role, string(role)+"@example.org", nil)
		c := app.client().login(string(role) + "@example.org")
		wantStatus(t, c.get("/admin/mail"), http.StatusForbidden)
		wantStatus(t, c.get("/admin/mail/1"), http.StatusForbidden)
	}
	res := app.client().get("/admin/mail")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
		t.Errorf("anonymous: %d %s, want a redirect to sign in", res.StatusCode, res.Location())
	}
}
