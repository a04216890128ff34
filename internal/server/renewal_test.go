package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// rwPDF is a minimal file the upload sniffer accepts as a PDF.
var rwPDF = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

// rwHolder is a signed-in holder of one CPSRP credential.
type rwHolder struct {
	user   *peerboard.User
	c      *client
	credID int64
	number string
}

var rwSeq int64

// rwNewHolder stores an applicant with a credential of status expiring on
// expires, signed in.
func rwNewHolder(t *testing.T, app *testApp, email, status, expires string) rwHolder {
	t.Helper()
	u := app.createUser(peerboard.RoleApplicant, email, nil)
	rwSeq++
	h := rwHolder{user: u, number: peerboard.FormatCredentialNumber("CPSRP", 500000+rwSeq)}
	err := app.db.Pool.QueryRow(context.Background(), `INSERT INTO credentials (number, user_id, credential_type_id, status,
		first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, $3, 'Holder', 'Person', $4::date - interval '2 years', $4 FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, h.number, u.ID, status, expires).Scan(&h.credID)
	if err != nil {
		t.Fatal(err)
	}
	h.c = app.client().login(email)
	return h
}

// rwCE logs a self-reported activity for h and returns its id.
func rwCE(t *testing.T, app *testApp, h rwHolder, title, date string, hours float64, cat peerboard.CECategory) int64 {
	t.Helper()
	var id int64
	err := app.db.Pool.QueryRow(context.Background(), `INSERT INTO ce_activities (person_email, user_id, title, provider,
		activity_date, hours, category, source) VALUES ($1, $2, $3, 'Provider', $4, $5, $6, 'self_reported') RETURNING id`,
		h.user.Email, h.user.ID, title, date, hours, cat).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// rwFullCE logs 20 hours (3 of ethics) in the cycle ending 2027-01-10.
func rwFullCE(t *testing.T, app *testApp, h rwHolder) []int64 {
	t.Helper()
	return []int64{
		rwCE(t, app, h, "Ethics in peer work", "2026-03-01", 3, peerboard.CEEthics),
		rwCE(t, app, h, "Recovery planning", "2026-04-01", 17, peerboard.CECoreCompetencies),
	}
}

func rwAuditPercent(t *testing.T, app *testApp, percent int) {
	t.Helper()
	if _, err := app.db.Pool.Exec(context.Background(), `UPDATE credential_types SET audit_percent = $1`, percent); err != nil {
		t.Fatal(err)
	}
}

func rwCount(t *testing.T, app *testApp, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := app.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var rwSigned = url.Values{"attest_code_of_ethics": {"yes"}, "attest_release_of_information": {"yes"}}

// rwUpload posts data as the "file" part of a multipart form.
func rwUpload(c *client, path, filename string, data []byte) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.app.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// rwSubmit renews h through the page and returns the renewal's path.
func rwSubmit(t *testing.T, h rwHolder) string {
	t.Helper()
	res := h.c.post(fmt.Sprintf("/credentials/%d/renew", h.credID), rwSigned)
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.HasPrefix(res.Location(), "/renewals/") {
		t.Fatalf("submit went to %q", res.Location())
	}
	return res.Location()
}

func TestRenewalHolderFlow(t *testing.T) {
	app := newTestApp(t) // 2026-11-23: inside the window of a 2027-01-10 expiry
	rwAuditPercent(t, app, 100)
	h := rwNewHolder(t, app, "holder@example.org", "active", "2027-01-10")
	other := rwNewHolder(t, app, "other@example.org", "active", "2027-01-10")
	self := rwFullCE(t, app, h)
	othersCE := rwCE(t, app, other, "Other's ethics", "2026-03-01", 3, peerboard.CEEthics)
	renewPath := fmt.Sprintf("/credentials/%d/renew", h.credID)

	res := h.c.get(renewPath)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Text("#window"), "Renewal is open") || !strings.Contains(res.Text("#progress"), "Requirement met") {
		t.Errorf("window %q, progress %q", res.Text("#window"), res.Text("#progress"))
	}
	if res.Doc.Find("#activities tbody tr").Length() != 2 || res.Doc.Find(`input[name="attest_code_of_ethics"]`).Length() != 1 {
		t.Error("activities or attestations missing")
	}

	// Unsigned: 422, the ticked box kept, nothing stored.
	res = h.c.post(renewPath, url.Values{"attest_code_of_ethics": {"yes"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Doc.Find("#attest_release_of_information[aria-invalid=true]").Length() != 1 ||
		res.Doc.Find("#attest_code_of_ethics[checked]").Length() != 1 {
		t.Error("error not next to the unsigned statement, or input not kept")
	}
	if n := rwCount(t, app, `SELECT count(*) FROM renewals`); n != 0 {
		t.Fatalf("renewals = %d after a refused submit", n)
	}

	renewal := rwSubmit(t, h)
	res = h.c.get(renewal)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Text(".usa-alert--success"), "selected at random for a CE audit") || res.Text("#status") != "Submitted" {
		t.Errorf("flash %q status %q", res.Text(".usa-alert--success"), res.Text("#status"))
	}
	if res.Doc.Find(`#audit-items input[type=file]`).Length() != 2 {
		t.Error("want an upload field per self-reported activity")
	}

	// A second submit creates nothing and says so.
	res = h.c.post(renewPath, rwSigned)
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != renewal {
		t.Errorf("second submit went to %q, want %q", res.Location(), renewal)
	}
	res = h.c.get(renewal)
	if !strings.Contains(res.Text(".usa-alert--success"), "already submitted") {
		t.Errorf("flash %q", res.Text(".usa-alert--success"))
	}
	if n := rwCount(t, app, `SELECT count(*) FROM renewals`); n != 1 {
		t.Errorf("renewals = %d, want 1", n)
	}
	res = h.c.get(renewPath)
	if res.Doc.Find("#existing").Length() != 1 || res.Doc.Find(`form[action="`+renewPath+`"]`).Length() != 0 {
		t.Error("the renewal page still offers to submit")
	}

	// Proof uploads.
	proof := func(ceID int64) string { return fmt.Sprintf("%s/items/%d/proof", renewal, ceID) }
	res = rwUpload(h.c, proof(self[0]), "certificate.pdf", rwPDF)
	wantStatus(t, res, http.StatusSeeOther)
	res = rwUpload(h.c, proof(self[1]), "evil.pdf", []byte("<html><script>alert(1)</script></html>"))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	field := fmt.Sprintf("#proof-%d-error", self[1])
	if !strings.Contains(res.Text(field), "markup") {
		t.Errorf("error next to the field = %q; alerts %q", res.Text(field), res.Text(".usa-alert--error"))
	}
	res = rwUpload(h.c, proof(self[1]), "big.pdf", append(append([]byte{}, rwPDF...), make([]byte, peerboard.MaxUploadBytes+100<<10)...))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.Body, "larger than 10 MB") {
		t.Errorf("413 without a clear message: %q", res.Text("main"))
	}
	if n := rwCount(t, app, `SELECT count(*) FROM stored_files`); n != 1 {
		t.Errorf("stored files = %d, want only the good one", n)
	}
	res = h.c.get(renewal)
	if !strings.Contains(res.Body, "certificate.pdf") {
		t.Error("uploaded proof not shown")
	}

	// The other holder: every id of the first is not found.
	for _, tt := range []struct{ method, path string }{
		{"GET", renewPath}, {"POST", renewPath}, {"GET", renewal}, {"POST", renewal + "/respond"},
		{"GET", fmt.Sprintf("/credentials/%d/inactive", h.credID)}, {"POST", fmt.Sprintf("/credentials/%d/surrender", h.credID)},
		{"GET", fmt.Sprintf("/credentials/%d/reactivate", h.credID)},
	} {
		var res *response
		if tt.method == "GET" {
			res = other.c.get(tt.path)
		} else {
			res = other.c.post(tt.path, url.Values{"version": {"1"}, "attest_code_of_ethics": {"yes"}, "attest_release_of_information": {"yes"}})
		}
		wantStatus(t, res, http.StatusNotFound)
	}
	res = rwUpload(other.c, proof(self[1]), "x.pdf", rwPDF)
	wantStatus(t, res, http.StatusNotFound)
	// The first holder naming the other's CE on their own renewal.
	res = rwUpload(h.c, proof(othersCE), "x.pdf", rwPDF)
	wantStatus(t, res, http.StatusNotFound)
	if n := rwCount(t, app, `SELECT count(*) FROM stored_files`); n != 1 {
		t.Errorf("stored files = %d after refused uploads", n)
	}
}

func TestRenewalPageRefusals(t *testing.T) {
	app := newTestApp(t) // 2026-11-23
	tests := []struct {
		name, status, expires string
		ce                    bool
		wantPage, wantPost    string
	}{
		{"before the window", "active", "2027-03-01", true, "Renewal opens on December 1, 2026", "Renewal opens on"},
		{"past grace", "expired", "2026-08-01", true, "apply for reinstatement", "reinstatement"},
		{"CE short", "active", "2027-01-10", false, "17 more hours needed", "17 more hours needed"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := rwNewHolder(t, app, fmt.Sprintf("refused%d@example.org", i), tt.status, tt.expires)
			if tt.ce {
				rwCE(t, app, h, "Ethics", "2026-03-01", 3, peerboard.CEEthics)
				rwCE(t, app, h, "Core", "2026-04-01", 17, peerboard.CECoreCompetencies)
			} else {
				rwCE(t, app, h, "Ethics", "2026-03-01", 3, peerboard.CEEthics)
			}
			path := fmt.Sprintf("/credentials/%d/renew", h.credID)
			res := h.c.get(path)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(res.Body, tt.wantPage) {
				t.Errorf("page does not explain %q: window %q, progress %q", tt.wantPage, res.Text("#window"), res.Text("#progress"))
			}
			res = h.c.post(path, rwSigned)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(res.Text(".usa-alert--error"), tt.wantPost) {
				t.Errorf("error summary %q, want %q", res.Text(".usa-alert--error"), tt.wantPost)
			}
		})
	}
	if n := rwCount(t, app, `SELECT count(*) FROM renewals`); n != 0 {
		t.Errorf("renewals = %d, want none", n)
	}
}

func TestStaffRenewalReview(t *testing.T) {
	app := newTestApp(t)
	rwAuditPercent(t, app, 100)
	h := rwNewHolder(t, app, "holder@example.org", "active", "2027-01-10")
	self := rwFullCE(t, app, h)
	renewal := rwSubmit(t, h)
	wantStatus(t, rwUpload(h.c, fmt.Sprintf("%s/items/%d/proof", renewal, self[0]), "ethics.pdf", rwPDF), http.StatusSeeOther)
	wantStatus(t, rwUpload(h.c, fmt.Sprintf("%s/items/%d/proof", renewal, self[1]), "core.pdf", rwPDF), http.StatusSeeOther)
	id := strings.TrimPrefix(renewal, "/renewals/")
	staffPath := "/review/renewals/" + id

	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	rev := app.client().login("rev@example.org")
	res := rev.get("/review/renewals")
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`#renewal-queue a[href="`+staffPath+`"]`).Length() != 1 || !strings.Contains(res.Text("#renewal-queue"), "CE audit") {
		t.Fatalf("queue does not list the renewal: %q", res.Text("main"))
	}
	res = rev.get(staffPath)
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`#items a[href^="/files/"]`).Length() != 2 || res.Doc.Find("#timeline li").Length() < 3 {
		t.Errorf("proof links %d, trail entries %d", res.Doc.Find(`#items a[href^="/files/"]`).Length(), res.Doc.Find("#timeline li").Length())
	}
	version := func(res *response) string {
		v, _ := res.Doc.Find(`form[action$="/decide"] input[name=version]`).Attr("value")
		return v
	}
	v1 := version(res)

	// Rejecting needs a note, next to the field.
	itemPath := fmt.Sprintf("%s/items/%d", staffPath, self[1])
	res = rev.post(itemPath, url.Values{"version": {v1}, "ruling": {"reject"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text(fmt.Sprintf("#note-%d-error", self[1])) == "" {
		t.Error("no error next to the note")
	}
	res = rev.post(itemPath, url.Values{"version": {v1}, "ruling": {"accept"}})
	wantStatus(t, res, http.StatusSeeOther)
	// The page the reviewer loaded before the ruling is now stale: 409 with the current state.
	res = rev.post(staffPath+"/decide", url.Values{"version": {v1}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusConflict)
	if res.Doc.Find("#conflict").Length() != 1 || res.Text("#status") != "Under review" {
		t.Errorf("conflict page: %q, status %q", res.Text("#conflict"), res.Text("#status"))
	}
	v2 := version(res)
	// Approving with an activity not ruled on is refused.
	res = rev.post(staffPath+"/decide", url.Values{"version": {v2}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Text(".usa-alert--error"), "Accept or reject each audited activity") {
		t.Errorf("summary %q", res.Text(".usa-alert--error"))
	}
	res = rev.post(fmt.Sprintf("%s/items/%d", staffPath, self[0]), url.Values{"version": {v2}, "ruling": {"accept"}, fmt.Sprintf("note-%d", self[0]): {"Fine"}})
	wantStatus(t, res, http.StatusSeeOther)
	// A denial without reasons is refused, the choice kept.
	res = rev.get(staffPath)
	v3 := version(res)
	res = rev.post(staffPath+"/decide", url.Values{"version": {v3}, "decision": {"deny"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Doc.Find("#decision-deny[checked]").Length() != 1 || res.Text("#reason-error") == "" {
		t.Error("denial without reasons: choice not kept or no error at the field")
	}
	res = rev.post(staffPath+"/decide", url.Values{"version": {v3}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusSeeOther)
	if n := rwCount(t, app, `SELECT count(*) FROM credentials WHERE id = $1 AND expires_on = '2029-01-10' AND status = 'active'`, h.credID); n != 1 {
		t.Error("approval did not extend the credential from its old expiry")
	}
	res = h.c.get(renewal)
	if res.Text("#status") != "Approved" || !strings.Contains(res.Body, "January 10, 2029") {
		t.Errorf("holder sees %q", res.Text("#status"))
	}
	// The public verification shows the new expiry at once.
	res = app.client().get("/verify/" + h.number)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, "2029") {
		t.Errorf("public record does not show the new expiry")
	}
	// Decided renewals leave the queue.
	res = rev.get("/review/renewals")
	if res.Doc.Find(`#renewal-queue a[href="`+staffPath+`"]`).Length() != 0 {
		t.Error("decided renewal still queued")
	}
}

func TestStaffRequestInfoAndHolderAnswer(t *testing.T) {
	app := newTestApp(t)
	rwAuditPercent(t, app, 0)
	h := rwNewHolder(t, app, "holder@example.org", "expired", "2026-11-01") // in grace
	rwFullCE(t, app, h)
	renewal := rwSubmit(t, h)
	staffPath := "/review/renewals/" + strings.TrimPrefix(renewal, "/renewals/")
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	adm := app.client().login("admin@example.org")
	res := adm.post(staffPath+"/decide", url.Values{"version": {"1"}, "decision": {"request_info"}, "reason": {"Which provider ran the core course?"}, "deadline": {"not a date"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#deadline-error") == "" {
		t.Error("bad deadline not flagged")
	}
	res = adm.post(staffPath+"/decide", url.Values{"version": {"1"}, "decision": {"request_info"}, "reason": {"Which provider ran the core course?"}, "deadline": {"2026-12-15"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = h.c.get(renewal)
	if res.Text("#status") != "Needs information" || !strings.Contains(res.Text("#board-message"), "Which provider") ||
		!strings.Contains(res.Body, "December 15, 2026") {
		t.Fatalf("holder page: status %q message %q", res.Text("#status"), res.Text("#board-message"))
	}
	v, _ := res.Doc.Find(`form[action$="/respond"] input[name=version]`).Attr("value")
	res = h.c.post(renewal+"/respond", url.Values{"version": {v}, "message": {"CT Recovery Academy"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = h.c.post(renewal+"/respond", url.Values{"version": {v}, "message": {"again"}})
	wantStatus(t, res, http.StatusConflict)
	res = adm.get(staffPath)
	if res.Text("#status") != "Resubmitted" {
		t.Errorf("staff sees %q", res.Text("#status"))
	}
	av, _ := res.Doc.Find(`form[action$="/decide"] input[name=version]`).Attr("value")
	res = adm.post(staffPath+"/decide", url.Values{"version": {av}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusSeeOther)
	// Late renewal in grace: Expired becomes Active, one cycle from the old expiry.
	if n := rwCount(t, app, `SELECT count(*) FROM credentials WHERE id = $1 AND status = 'active' AND expires_on = '2028-11-01'`, h.credID); n != 1 {
		t.Error("late renewal did not reactivate the credential until 2028-11-01")
	}
}

func TestStaffCannotDecideOwnRenewal(t *testing.T) {
	app := newTestApp(t)
	rwAuditPercent(t, app, 0)
	h := rwNewHolder(t, app, "holder@example.org", "active", "2027-01-10")
	rwFullCE(t, app, h)
	renewal := rwSubmit(t, h)
	// The holder later joins the board staff.
	if err := app.db.SetUserRole(context.Background(), h.user.ID, peerboard.RoleReviewer, nil); err != nil {
		t.Fatal(err)
	}
	c := app.client().login(h.user.Email)
	staffPath := "/review/renewals/" + strings.TrimPrefix(renewal, "/renewals/")
	res := c.get(staffPath)
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`form[action$="/decide"]`).Length() != 0 {
		t.Error("decision form offered on own renewal")
	}
	res = c.post(staffPath+"/decide", url.Values{"version": {"1"}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusForbidden)
}

func TestVoluntaryStatusPages(t *testing.T) {
	app := newTestApp(t) // 2026-11-23
	h := rwNewHolder(t, app, "holder@example.org", "active", "2027-01-10")
	base := fmt.Sprintf("/credentials/%d/", h.credID)

	res := h.c.get(base + "inactive")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, "you may not practice as a credentialed peer") || !strings.Contains(res.Body, "shows <strong>Inactive</strong>") {
		t.Error("inactive page does not say what it means")
	}
	res = h.c.post(base+"inactive", url.Values{"version": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/dashboard" {
		t.Errorf("went to %q", res.Location())
	}
	// The same confirmation sent twice: stale, 409 with the current state.
	res = h.c.post(base+"inactive", url.Values{"version": {"1"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Text(".usa-intro"), "now Inactive") {
		t.Errorf("conflict page intro %q", res.Text(".usa-intro"))
	}
	res = h.c.get(base + "inactive")
	if res.Doc.Find(`form[action="`+base+`inactive"]`).Length() != 0 || !strings.Contains(res.Text(".usa-alert--error"), "already inactive") {
		t.Error("inactive page still offers the change")
	}
	res = h.c.get(base + "reactivate")
	wantStatus(t, res, http.StatusOK)
	res = h.c.post(base+"reactivate", url.Values{"version": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = h.c.get(base + "surrender")
	if !strings.Contains(res.Body, "permanent") || !strings.Contains(res.Body, "new application") {
		t.Error("surrender page does not say it is permanent")
	}
	res = h.c.post(base+"surrender", url.Values{"version": {"3"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = h.c.post(base+"reactivate", url.Values{"version": {"4"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Text(".usa-alert--error"), "surrendered") {
		t.Errorf("refusal %q", res.Text(".usa-alert--error"))
	}
	if n := rwCount(t, app, `SELECT count(*) FROM audit_events WHERE action = 'credential.status_changed' AND entity_id = $1`, h.credID); n != 3 {
		t.Errorf("status_changed events = %d, want 3", n)
	}
	if n := rwCount(t, app, `SELECT count(*) FROM mail_messages WHERE kind = 'status_changed'`); n != 3 {
		t.Errorf("status mails = %d, want 3", n)
	}
	// Reactivating after the expiry date is refused with a reason.
	h2 := rwNewHolder(t, app, "lapsed@example.org", "inactive", "2026-11-01")
	res = h2.c.get(fmt.Sprintf("/credentials/%d/reactivate", h2.credID))
	if !strings.Contains(res.Text(".usa-alert--error"), "Renew it first") {
		t.Errorf("reactivation after expiry: %q", res.Text(".usa-alert--error"))
	}
	res = h2.c.post(fmt.Sprintf("/credentials/%d/reactivate", h2.credID), url.Values{"version": {"1"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	// Malformed ids are not found.
	wantStatus(t, h.c.get("/credentials/abc/inactive"), http.StatusNotFound)
	wantStatus(t, h.c.get("/renewals/0"), http.StatusNotFound)
}

// TestRenewalRoutesByRole tries every renewal route as every role that may
// not use it (403) and anonymously (sign in first).
func TestRenewalRoutesByRole(t *testing.T) {
	app := newTestApp(t)
	orgID, err := app.db.EnsureDemoOrganization(context.Background(), "Org", app.now)
	if err != nil {
		t.Fatal(err)
	}
	clients := map[peerboard.Role]*client{}
	for _, role := range peerboard.Roles {
		var org *int64
		if role == peerboard.RoleTrainer {
			org = &orgID
		}
		email := string(role) + "@example.org"
		app.createUser(role, email, org)
		clients[role] = app.client().login(email)
	}
	holderRoutes := []struct{ method, path string }{
		{"GET", "/credentials/1/renew"}, {"POST", "/credentials/1/renew"},
		{"GET", "/renewals/1"}, {"POST", "/renewals/1/respond"}, {"POST", "/renewals/1/items/1/proof"},
		{"GET", "/credentials/1/inactive"}, {"POST", "/credentials/1/inactive"},
		{"GET", "/credentials/1/surrender"}, {"POST", "/credentials/1/surrender"},
		{"GET", "/credentials/1/reactivate"}, {"POST", "/credentials/1/reactivate"},
	}
	staffRoutes := []struct{ method, path string }{
		{"GET", "/review/renewals"}, {"GET", "/review/renewals/1"},
		{"POST", "/review/renewals/1/items/1"}, {"POST", "/review/renewals/1/decide"},
	}
	try := func(c *client, method, path string) *response {
		if method == "GET" {
			return c.get(path)
		}
		return c.post(path, url.Values{"version": {"1"}})
	}
	for _, r := range holderRoutes {
		for _, role := range []peerboard.Role{peerboard.RoleTrainer, peerboard.RoleReviewer, peerboard.RoleAdmin} {
			wantStatus(t, try(clients[role], r.method, r.path), http.StatusForbidden)
		}
	}
	for _, r := range staffRoutes {
		for _, role := range []peerboard.Role{peerboard.RoleApplicant, peerboard.RoleTrainer} {
			wantStatus(t, try(clients[role], r.method, r.path), http.StatusForbidden)
		}
	}
	anon := app.client()
	for _, r := range append(holderRoutes, staffRoutes...) {
		res := try(anon, r.method, r.path)
		if r.method == "GET" {
			wantStatus(t, res, http.StatusSeeOther)
			if !strings.HasPrefix(res.Location(), "/login") {
				t.Errorf("%s: anonymous sent to %q", r.path, res.Location())
			}
		} else {
			wantStatus(t, res, http.StatusUnauthorized)
		}
	}
	// Staff opening a renewal that does not exist: 404, not 500.
	wantStatus(t, clients[peerboard.RoleReviewer].get("/review/renewals/999"), http.StatusNotFound)
	wantStatus(t, clients[peerboard.RoleReviewer].get("/review/renewals?after=garbage"), http.StatusBadRequest)
}
