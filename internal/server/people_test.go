package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// pplCredential gives u an active CPSRP credential and returns its id and number.
func pplCredential(a *testApp, u *peerboard.User, first, last string) (int64, string) {
	a.t.Helper()
	ctx := context.Background()
	var seq int64
	if err := a.db.Pool.QueryRow(ctx, `SELECT nextval('credential_number_seq')`).Scan(&seq); err != nil {
		a.t.Fatal(err)
	}
	number := peerboard.FormatCredentialNumber("CPSRP", seq)
	var id int64
	err := a.db.Pool.QueryRow(ctx, `
		INSERT INTO credentials (number, user_id, credential_type_id, status, first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, 'active', $3, $4, '2025-06-01', '2027-06-01' FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, number, u.ID, first, last).Scan(&id)
	if err != nil {
		a.t.Fatalf("insert credential: %v", err)
	}
	return id, number
}

// navLabels returns the header navigation's link texts.
func navLabels(res *response) []string {
	var out []string
	res.Doc.Find("nav.usa-nav .usa-nav__primary a").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func TestPeopleRoutesByRole(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	holder := app.createUser(peerboard.RoleApplicant, "holder@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "reviewer@board.example", nil)
	app.createUser(peerboard.RoleTrainer, "trainer@harbor.example", app.trainingOrg("Harbor Training"))
	credID, _ := pplCredential(app, holder, "Hana", "Holder")
	user := fmt.Sprintf("/admin/users/%d", holder.ID)
	discipline := fmt.Sprintf("/admin/credentials/%d/discipline", credID)
	gets := []string{"/admin/users", "/admin/users?q=h&role=applicant", "/admin/users/new", user, discipline}
	posts := []string{"/admin/users/new", user + "/role", discipline}

	admin := app.client().login("admin@board.example")
	for _, path := range gets {
		wantStatus(t, admin.get(path), http.StatusOK)
	}
	for _, email := range []string{"holder@example.org", "reviewer@board.example", "trainer@harbor.example"} {
		c := app.client().login(email)
		for _, path := range gets {
			if res := c.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: status %d, want 403", email, path, res.StatusCode)
			}
		}
		for _, path := range posts {
			res := c.post(path, url.Values{"role": {"admin"}, "name": {"x"}, "action": {"reprimand"}})
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: status %d, want 403", email, path, res.StatusCode)
			}
		}
	}
	anon := app.client()
	for _, path := range gets {
		res := anon.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
			t.Errorf("anonymous GET %s: status %d to %q, want 303 to /login", path, res.StatusCode, res.Location())
		}
	}
	for _, path := range posts {
		if res := anon.post(path, url.Values{"role": {"admin"}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST %s: status %d, want 401", path, res.StatusCode)
		}
	}
	if got, _ := app.db.UserByID(context.Background(), holder.ID); got.Role != peerboard.RoleApplicant {
		t.Errorf("a refused POST changed the role to %s", got.Role)
	}

	for _, path := range []string{"/admin/users/999999", "/admin/users/abc", "/admin/users/0",
		"/admin/credentials/999999/discipline", "/admin/credentials/x/discipline"} {
		wantStatus(t, admin.get(path), http.StatusNotFound)
	}
	wantStatus(t, admin.post("/admin/users/999999/role", url.Values{"role": {"reviewer"}}), http.StatusNotFound)
	wantStatus(t, admin.post("/admin/credentials/999999/discipline", url.Values{"version": {"1"}, "action": {"reprimand"},
		"public_summary": {"s"}, "effective_on": {"2026-11-23"}}), http.StatusNotFound)
}

func TestPeopleListSearchAndPages(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	ctx := context.Background()
	if _, err := app.db.Pool.Exec(ctx, `INSERT INTO users (email, name, role, password_hash)
		SELECT 'p' || g || '@example.org', 'Person ' || lpad(g::text, 2, '0'), 'applicant', 'x' FROM generate_series(1, 55) g`); err != nil {
		t.Fatal(err)
	}
	app.createUser(peerboard.RoleReviewer, "roberta@board.example", nil)
	admin := app.client().login("admin@board.example")

	res := admin.get("/admin/users")
	wantStatus(t, res, http.StatusOK)
	if n := res.Doc.Find("#accounts tbody tr").Length(); n != 50 {
		t.Fatalf("first page has %d rows, want 50", n)
	}
	if res.Doc.Find("h1").Length() != 1 || res.Doc.Find("#accounts caption").Length() != 1 {
		t.Error("want one h1 and a table caption")
	}
	next, ok := res.Doc.Find("a.usa-pagination__next-page").Attr("href")
	if !ok {
		t.Fatal("no link to the next page")
	}
	res = admin.get(next)
	wantStatus(t, res, http.StatusOK)
	if n := res.Doc.Find("#accounts tbody tr").Length(); n != 7 {
		t.Errorf("second page has %d rows, want the 7 others", n)
	}
	if res.Doc.Find("a.usa-pagination__next-page").Length() != 0 || res.Doc.Find("a.usa-pagination__previous-page").Length() != 1 {
		t.Error("last page: want a link back and none onward")
	}

	res = admin.get("/admin/users?q=ROBERTA")
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("#accounts tbody th"); got != "Test reviewer" || res.Doc.Find("#accounts tbody tr").Length() != 1 {
		t.Errorf("search by email prefix found %q", got)
	}
	if v, _ := res.Doc.Find("input#q").Attr("value"); v != "ROBERTA" {
		t.Errorf("search box shows %q, want what was typed", v)
	}
	res = admin.get("/admin/users?q=person+5&role=applicant")
	if n := res.Doc.Find("#accounts tbody tr").Length(); n != 6 {
		t.Errorf("name prefix + role found %d, want Person 50..55", n)
	}
	if v, _ := res.Doc.Find("select#role option[selected]").Attr("value"); v != "applicant" {
		t.Errorf("role filter shows %q", v)
	}
	res = admin.get("/admin/users?role=reviewer&q=person")
	if res.Doc.Find("#accounts").Length() != 0 || res.Doc.Find("#no-accounts").Length() != 1 {
		t.Error("no match: want the empty message")
	}
}

func TestAccountPage(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	holder := app.createUser(peerboard.RoleApplicant, "holder@example.org", nil)
	credID, number := pplCredential(app, holder, "Hana", "Holder")
	admin := app.client().login("admin@board.example")

	res := admin.get(fmt.Sprintf("/admin/users/%d", holder.ID))
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("h1"); got != "Test applicant" {
		t.Errorf("h1 = %q", got)
	}
	if !strings.Contains(res.Text("#account"), "holder@example.org") || res.Text("#account-role") != "Applicant" {
		t.Errorf("details = %q", res.Text("#account"))
	}
	if got := res.Text("#credentials tbody th"); got != number {
		t.Errorf("credential row = %q, want %s", got, number)
	}
	link := res.Doc.Find("#credentials a")
	if href, _ := link.Attr("href"); href != fmt.Sprintf("/admin/credentials/%d/discipline", credID) ||
		!strings.Contains(link.Text(), number) {
		t.Errorf("discipline link %q (%q)", href, link.Text())
	}
	if !strings.Contains(res.Text("#history"), "user.created") {
		t.Error("history lacks the account's creation")
	}
	if v, _ := res.Doc.Find("select#role option[selected]").Attr("value"); v != "applicant" {
		t.Errorf("role form preselects %q", v)
	}
}

func TestRoleChangeRenewsTheUsersSession(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	u := app.createUser(peerboard.RoleApplicant, "pat@example.org", nil)
	admin := app.client().login("admin@board.example")
	pat := app.client()
	old := app.sessionCookieOf(pat.post("/login", url.Values{"email": {"pat@example.org"}, "password": {testPassword}}))
	if old == nil {
		t.Fatal("login set no cookie")
	}
	before := pat.get("/dashboard")
	if strings.Contains(strings.Join(navLabels(before), "|"), "Case queue") {
		t.Fatal("an applicant sees the case queue")
	}

	res := admin.post(fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {"reviewer"}, "organization_id": {""}})
	wantStatus(t, res, http.StatusSeeOther)
	page := admin.get(res.Location())
	if !strings.Contains(page.Text(".usa-alert--success"), "Reviewer") || page.Text("#account-role") != "Reviewer" {
		t.Errorf("after the change: flash %q, role %q", page.Text(".usa-alert--success"), page.Text("#account-role"))
	}
	if !strings.Contains(page.Text("#history"), "user.role_changed") {
		t.Error("history lacks the role change")
	}

	res = pat.get("/review")
	wantStatus(t, res, http.StatusOK)
	renewed := app.sessionCookieOf(res)
	if renewed == nil || renewed.Value == old.Value {
		t.Fatalf("no new session token after the role change (Set-Cookie %q)", res.Header.Values("Set-Cookie"))
	}
	if nav := strings.Join(navLabels(res), "|"); !strings.Contains(nav, "Case queue") || strings.Contains(nav, "Continuing education") {
		t.Errorf("navigation after the change: %s; want the reviewer's", nav)
	}
	if res := app.getWithToken("/dashboard", old); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the old token still works: status %d", res.StatusCode)
	}
}

func TestRoleChangeRefusals(t *testing.T) {
	app := newTestApp(t)
	admin := app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	u := app.createUser(peerboard.RoleApplicant, "pat@example.org", nil)
	c := app.client().login("admin@board.example")

	res := c.post(fmt.Sprintf("/admin/users/%d/role", admin.ID), url.Values{"role": {"reviewer"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.Text("#role-error"); !strings.Contains(msg, "cannot remove your own board admin role") {
		t.Errorf("self-demotion error = %q", msg)
	}
	if v, _ := res.Doc.Find("select#role option[selected]").Attr("value"); v != "reviewer" {
		t.Errorf("the form shows %q, want what was chosen", v)
	}
	if res.Doc.Find(".usa-alert--error a[href='#role']").Length() != 1 {
		t.Error("the error summary does not link to the field")
	}
	if got, _ := app.db.UserByID(context.Background(), admin.ID); got.Role != peerboard.RoleAdmin {
		t.Fatalf("the admin demoted themselves to %s", got.Role)
	}
	// Still an admin: the next page works and the session token is unchanged.
	wantStatus(t, c.get("/admin/users"), http.StatusOK)

	res = c.post(fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {"trainer"}, "organization_id": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#organization_id-error") == "" {
		t.Error("a trainer without organization: no error on the organization")
	}
	org := app.trainingOrg("Harbor Training")
	res = c.post(fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {"trainer"}, "organization_id": {fmt.Sprint(*org)}})
	wantStatus(t, res, http.StatusSeeOther)
	if got, _ := app.db.UserByID(context.Background(), u.ID); got.Role != peerboard.RoleTrainer || got.OrganizationID == nil {
		t.Errorf("after the change: %+v", got)
	}
	res = c.post(fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {"trainer"}, "organization_id": {fmt.Sprint(*org)}})
	wantStatus(t, res, http.StatusSeeOther)
	if n := app.count(`SELECT count(*) FROM audit_events WHERE action = 'user.role_changed' AND entity_id = $1`, u.ID); n != 1 {
		t.Errorf("%d role_changed events after submitting twice, want 1", n)
	}
}

func TestCreateStaffAccountPages(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	org := app.trainingOrg("Harbor Training")
	c := app.client().login("admin@board.example")

	res := c.get("/admin/users/new")
	wantStatus(t, res, http.StatusOK)
	if hint := res.Text("#password-hint"); !strings.Contains(hint, "by phone or in person") {
		t.Errorf("password hint = %q", hint)
	}
	if res.Doc.Find("select#organization_id option").Length() != 2 {
		t.Error("the organization select lacks the organization")
	}

	res = c.post("/admin/users/new", url.Values{"name": {"Tess Trainer"}, "email": {"tess@harbor.example"},
		"role": {"trainer"}, "organization_id": {""}, "password": {"password"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#organization_id-error") == "" || res.Text("#password-error") == "" {
		t.Errorf("errors: organization %q, password %q", res.Text("#organization_id-error"), res.Text("#password-error"))
	}
	if v, _ := res.Doc.Find("input#name").Attr("value"); v != "Tess Trainer" {
		t.Errorf("name kept as %q", v)
	}
	if v, _ := res.Doc.Find("input#email").Attr("value"); v != "tess@harbor.example" {
		t.Errorf("email kept as %q", v)
	}
	if v, _ := res.Doc.Find("input#password").Attr("value"); v != "" {
		t.Error("the password was echoed back")
	}
	if v, _ := res.Doc.Find("select#role option[selected]").Attr("value"); v != "trainer" {
		t.Errorf("role kept as %q", v)
	}

	good := url.Values{"name": {"Tess Trainer"}, "email": {"tess@harbor.example"}, "role": {"trainer"},
		"organization_id": {fmt.Sprint(*org)}, "password": {"lantern orchard velvet"}}
	res = c.post("/admin/users/new", good)
	wantStatus(t, res, http.StatusSeeOther)
	page := c.get(res.Location())
	if page.Text("h1") != "Tess Trainer" || !strings.Contains(page.Text(".usa-alert--success"), "Account opened") {
		t.Errorf("after opening: h1 %q, flash %q", page.Text("h1"), page.Text(".usa-alert--success"))
	}
	// The new trainer signs in with the password the admin typed.
	tess := app.client()
	if res := tess.post("/login", url.Values{"email": {"tess@harbor.example"}, "password": {"lantern orchard velvet"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the new account cannot sign in: %d", res.StatusCode)
	}

	res = c.post("/admin/users/new", good)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.Text("#email-error"); !strings.Contains(msg, "already exists") {
		t.Errorf("duplicate email error = %q", msg)
	}
	if n := app.count(`SELECT count(*) FROM users WHERE email = 'tess@harbor.example'`); n != 1 {
		t.Errorf("%d accounts for the email", n)
	}
}

func TestDisciplinePages(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@board.example", nil)
	holder := app.createUser(peerboard.RoleApplicant, "holder@example.org", nil)
	credID, number := pplCredential(app, holder, "Hana", "Holder")
	path := fmt.Sprintf("/admin/credentials/%d/discipline", credID)
	c := app.client().login("admin@board.example")

	res := c.get(path)
	wantStatus(t, res, http.StatusOK)
	if _, checked := res.Doc.Find("input#public").Attr("checked"); !checked {
		t.Error("public is not ticked by default")
	}
	if v, _ := res.Doc.Find("input#effective_on").Attr("value"); v != "2026-11-23" {
		t.Errorf("effective date defaults to %q, want today", v)
	}
	version, _ := res.Doc.Find("input[name=version]").Attr("value")
	form := func(action, summary, effective, ends string, public bool) url.Values {
		v := url.Values{"version": {version}, "action": {action}, "public_summary": {summary},
			"effective_on": {effective}, "ends_on": {ends}}
		if public {
			v.Set("public", "yes")
		}
		return v
	}
	refresh := func() {
		version, _ = c.get(path).Doc.Find("input[name=version]").Attr("value")
	}

	// Validation keeps what was typed.
	res = c.post(path, form("probation", "", "2026-13-45", "2026-01-01", true))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#public_summary-error") == "" || res.Text("#effective_on-error") == "" {
		t.Errorf("errors: summary %q, effective %q", res.Text("#public_summary-error"), res.Text("#effective_on-error"))
	}
	if v, _ := res.Doc.Find("input#effective_on").Attr("value"); v != "2026-13-45" {
		t.Errorf("effective date kept as %q", v)
	}
	if v, _ := res.Doc.Find("select#action option[selected]").Attr("value"); v != "probation" {
		t.Errorf("action kept as %q", v)
	}
	res = c.post(path, form("probation", strings.Repeat("é", 501), "2026-11-23", "2026-11-01", false))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#public_summary-error") == "" || res.Text("#ends_on-error") == "" {
		t.Error("a long summary and an end before the start are not refused")
	}
	if _, checked := res.Doc.Find("input#public").Attr("checked"); checked {
		t.Error("the public box was unticked but shows ticked")
	}

	// A public reprimand appears on the verification page.
	res = c.post(path, form("reprimand", "Reprimand for a boundary violation.", "2026-11-23", "", true))
	wantStatus(t, res, http.StatusSeeOther)
	// Submitting the same form again is refused, not recorded twice.
	res = c.post(path, form("reprimand", "Reprimand for a boundary violation.", "2026-11-23", "", true))
	wantStatus(t, res, http.StatusConflict)
	if v := res.Doc.Find("textarea#public_summary").Text(); v != "Reprimand for a boundary violation." {
		t.Errorf("conflict page keeps %q", v)
	}
	if n := app.count(`SELECT count(*) FROM discipline_actions WHERE credential_id = $1`, credID); n != 1 {
		t.Fatalf("%d actions after a double submit, want 1", n)
	}
	refresh()
	res = c.post(path, form("probation", "Private probation note.", "2026-11-23", "2027-05-23", false))
	wantStatus(t, res, http.StatusSeeOther)

	verify := app.client().get("/verify/" + number)
	wantStatus(t, verify, http.StatusOK)
	if !strings.Contains(verify.Body, "Reprimand for a boundary violation.") {
		t.Error("the public reprimand is not on the verification page")
	}
	if strings.Contains(verify.Body, "Private probation note.") {
		t.Error("the private probation is on the verification page")
	}

	page := c.get(path)
	if n := page.Doc.Find("#actions tbody tr").Length(); n != 2 {
		t.Fatalf("the discipline page lists %d actions, want 2", n)
	}
	if !strings.Contains(page.Text("#actions tbody tr"), "Private") {
		t.Errorf("newest row %q does not say it is private", page.Text("#actions tbody tr"))
	}
	if n := app.count(`SELECT count(*) FROM audit_events WHERE entity_type = 'credential' AND entity_id = $1
		AND action = 'credential.discipline_added'`, credID); n != 2 {
		t.Errorf("%d discipline audit events, want 2", n)
	}

	// A suspension in effect today suspends, and the confirmation says so.
	refresh()
	res = c.post(path, form("suspension", "Suspended for 90 days.", "2026-11-23", "2027-02-21", true))
	wantStatus(t, res, http.StatusSeeOther)
	page = c.get(res.Location())
	if flash := page.Text(".usa-alert--success"); !strings.Contains(flash, "changed from Active to Suspended") {
		t.Errorf("confirmation = %q", flash)
	}
	if page.Text("#credential-status") != "Suspended" {
		t.Errorf("status shown %q", page.Text("#credential-status"))
	}
	if verify := app.client().get("/verify/" + number); !strings.Contains(verify.Body, "Suspended") {
		t.Error("the verification page does not show the suspension")
	}
}
