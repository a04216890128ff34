package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// TestFileDownload: the owner and staff get the file as a sandboxed
// attachment (staff views audited); anyone else, and bad ids, get 404.
func TestFileDownload(t *testing.T) {
	app := newTestApp(t)
	c, owner := ceHolderClient(app, "owner@example.org")
	form := ceActivity()
	wantStatus(t, c.postMultipart("/ce/new", form, &ceFile{"proof", `my "cert"; ünïcode.pdf`, cePDF}), http.StatusSeeOther)
	var id string
	if err := app.db.Pool.QueryRow(context.Background(), `SELECT id::text FROM stored_files`).Scan(&id); err != nil {
		t.Fatal(err)
	}

	res := c.get("/files/" + id)
	wantStatus(t, res, http.StatusOK)
	for h, want := range map[string]string{
		"Content-Type":            "application/pdf",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Cache-Control":           "private, no-store",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename") || strings.Contains(cd, `"cert"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if n := ceCount(t, app, `audit_events WHERE action = 'file.viewed'`); n != 0 {
		t.Errorf("owner's own view audited: %d", n)
	}

	other, _ := ceHolderClient(app, "other@example.org")
	wantStatus(t, other.get("/files/"+id), http.StatusNotFound)
	tc, _ := ceTrainerClient(app, "Org", "trainer@example.org")
	wantStatus(t, tc.get("/files/"+id), http.StatusNotFound)
	wantStatus(t, c.get("/files/not-a-uuid"), http.StatusNotFound)
	wantStatus(t, c.get("/files/00000000-0000-0000-0000-000000000000"), http.StatusNotFound)

	app.createUser(peerboard.RoleReviewer, "reviewer@example.org", nil)
	rc := app.client().login("reviewer@example.org")
	wantStatus(t, rc.get("/files/"+id), http.StatusOK)
	if n := ceCount(t, app, `audit_events WHERE action = 'file.viewed' AND entity_type = 'file_owner' AND entity_id = $1`, owner.ID); n != 1 {
		t.Errorf("staff view audit events = %d, want 1", n)
	}

	anon := app.client().get("/files/" + id)
	wantStatus(t, anon, http.StatusSeeOther)
	if !strings.HasPrefix(anon.Location(), "/login") {
		t.Errorf("anonymous redirected to %q", anon.Location())
	}
}
