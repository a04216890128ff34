package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// ncpsForm is the credential type form filled in for the national NCPS
// credential of DOMAIN.md: 3,000 supervised hours, the exam, 20 CE hours
// every 24 months, no grandparenting.
func ncpsForm() url.Values {
	return url.Values{
		"code": {"NCPS"}, "name": {"National Certified Peer Specialist"}, "description": {"The national credential."},
		"number_prefix": {"NCPS"}, "active": {"yes"},
		"cycle_months": {"24"}, "appeal_days": {"30"},
		"standard_enabled": {"yes"}, "training_hours": {"60"}, "require_all_competencies": {"yes"},
		"supervised_hours": {"3000"}, "exam_required": {"yes"}, "exam_authorization_days": {"365"},
		"exam_retake_wait_days": {"30"}, "exam_max_attempts": {"3"},
		"grandparenting_training_cutoff": {""}, "grandparenting_apply_until": {""},
		"ce_hours_per_cycle": {"20"}, "ce_ethics_hours": {"3"}, "ce_self_reported_cap": {""},
		"renewal_window_days": {"90"}, "grace_days": {"60"}, "audit_percent": {"10"}, "reminder_days": {"90, 30"},
		"fee_id": {"0"}, "fee_application": {"125.50"}, "fee_exam": {"$1,000"},
	}
}

// with returns a copy of v with the given key/value pairs set.
func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// typeFormOf reads back a credential type page's form as url.Values, the
// way a browser would submit it unchanged.
func typeFormOf(t *testing.T, res *response) url.Values {
	t.Helper()
	v := url.Values{}
	form := res.Doc.Find("main form.usa-form")
	if form.Length() != 1 {
		t.Fatalf("%d forms on the page", form.Length())
	}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		val, _ := s.Attr("value")
		if typ == "checkbox" {
			if _, checked := s.Attr("checked"); !checked {
				return
			}
		}
		v.Set(name, val)
	})
	v.Set("description", strings.TrimSpace(form.Find("textarea[name=description]").Text()))
	return v
}

func (a *testApp) typeID(code string) int64 {
	a.t.Helper()
	t, err := a.db.CredentialTypeByCode(context.Background(), code)
	if err != nil {
		a.t.Fatalf("type %s: %v", code, err)
	}
	return t.ID
}

func valueOf(res *response, name string) string {
	v, _ := res.Doc.Find(fmt.Sprintf("[name=%q]", name)).First().Attr("value")
	return v
}

func TestConfigRoutesRoleGates(t *testing.T) {
	app := newTestApp(t)
	app.trainingOrgFixture("Gate Org", "trainer@example.org", false)
	app.createUser(peerboard.RoleApplicant, "applicant@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "reviewer@example.org", nil)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	typeURL := "/admin/credential-types/" + strconv.FormatInt(app.typeID("CPSRP"), 10)
	var orgID int64
	if err := app.db.Pool.QueryRow(context.Background(), `SELECT id FROM training_organizations WHERE name = 'Gate Org'`).Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	orgURL := "/admin/organizations/" + strconv.FormatInt(orgID, 10)
	routes := []struct{ method, path string }{
		{"GET", "/admin/credential-types"}, {"GET", "/admin/credential-types/new"}, {"POST", "/admin/credential-types/new"},
		{"GET", typeURL}, {"POST", typeURL},
		{"GET", "/admin/organizations"}, {"GET", "/admin/organizations/new"}, {"POST", "/admin/organizations/new"},
		{"GET", orgURL}, {"POST", orgURL},
	}
	anon := app.client()
	for _, email := range []string{"applicant@example.org", "trainer@example.org", "reviewer@example.org"} {
		c := app.client().login(email)
		for _, rt := range routes {
			t.Run(email+" "+rt.method+" "+rt.path, func(t *testing.T) {
				var res *response
				if rt.method == "GET" {
					res = c.get(rt.path)
				} else {
					res = c.post(rt.path, with(ncpsForm(), "version", "1", "name", "Hijack"))
				}
				wantStatus(t, res, http.StatusForbidden)
			})
		}
	}
	for _, rt := range routes {
		t.Run("anonymous "+rt.method+" "+rt.path, func(t *testing.T) {
			if rt.method == "GET" {
				res := anon.get(rt.path)
				wantStatus(t, res, http.StatusSeeOther)
				if !strings.HasPrefix(res.Location(), "/login?next=") {
					t.Errorf("Location = %q", res.Location())
				}
			} else {
				wantStatus(t, anon.post(rt.path, ncpsForm()), http.StatusUnauthorized)
			}
		})
	}
	if n := app.examCount(`SELECT count(*) FROM credential_types WHERE code = 'NCPS' OR name = 'Hijack'`) +
		app.examCount(`SELECT count(*) FROM training_organizations WHERE name = 'Hijack'`); n != 0 {
		t.Errorf("a refused request stored %d rows", n)
	}
	admin := app.client().login("admin@example.org")
	for _, rt := range routes {
		if rt.method == "GET" {
			res := admin.get(rt.path)
			wantStatus(t, res, http.StatusOK)
			if n := res.Doc.Find("h1").Length(); n != 1 {
				t.Errorf("%s: %d h1", rt.path, n)
			}
		}
	}
}

func TestUnknownConfigIDsAreNotFound(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	admin := app.client().login("admin@example.org")
	for _, p := range []string{"/admin/credential-types/9999", "/admin/credential-types/abc", "/admin/credential-types/-1",
		"/admin/organizations/9999", "/admin/organizations/abc"} {
		wantStatus(t, admin.get(p), http.StatusNotFound)
		wantStatus(t, admin.post(p, with(ncpsForm(), "version", "1")), http.StatusNotFound)
	}
}

// TestSecondCredentialTypeWithoutCode is DOMAIN.md's promise: a board admin
// adds NCPS through the form and applicants are offered it at once.
func TestSecondCredentialTypeWithoutCode(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	app.createUser(peerboard.RoleApplicant, "applicant@example.org", nil)
	admin := app.client().login("admin@example.org")
	applicant := app.client().login("applicant@example.org")

	if opts := applicant.get("/applications/new").Doc.Find("select[name=credential_type_id] option").Text(); strings.Contains(opts, "NCPS") {
		t.Fatalf("NCPS offered before it exists: %q", opts)
	}

	form := admin.get("/admin/credential-types/new")
	wantStatus(t, form, http.StatusOK)
	if v := valueOf(form, "ce_hours_per_cycle"); v != "20" {
		t.Errorf("new form pre-fills CE hours %q, want the usual 20", v)
	}
	res := admin.post("/admin/credential-types/new", ncpsForm())
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/admin/credential-types" {
		t.Errorf("redirect to %q", res.Location())
	}
	list := admin.get("/admin/credential-types")
	if !strings.Contains(list.Text(".usa-alert"), "NCPS added") {
		t.Errorf("flash %q", list.Text(".usa-alert"))
	}
	row := list.Doc.Find("#credential-types tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find("th").Text()) == "NCPS"
	})
	if row.Length() != 1 || !strings.Contains(row.Text(), "$125.50") || !strings.Contains(row.Text(), "$1000.00") ||
		!strings.Contains(row.Text(), "24 months") || !strings.Contains(row.Text(), "20 hours") {
		t.Errorf("list row %q", row.Text())
	}

	got, err := app.db.CredentialTypeByCode(context.Background(), "NCPS")
	if err != nil {
		t.Fatal(err)
	}
	if got.SupervisedHours != 3000 || !got.ExamRequired || got.CEHoursPerCycle != 20 || got.CycleMonths != 24 ||
		got.GrandparentingEnabled || got.FeeApplicationCents != 12550 || got.FeeExamCents != 100000 ||
		fmt.Sprint(got.ReminderDays) != "[90 30]" || got.CESelfReportedCap != nil || got.RequireEthicsModule {
		t.Errorf("stored %+v", got)
	}
	if n := app.examCount(`SELECT count(*) FROM audit_events WHERE action = 'credential_type.created' AND entity_id = $1`, got.ID); n != 1 {
		t.Error("no audit event")
	}

	page := applicant.get("/applications/new")
	wantStatus(t, page, http.StatusOK)
	opt := page.Doc.Find(fmt.Sprintf("select[name=credential_type_id] option[value=%q]", strconv.FormatInt(got.ID, 10)))
	if !strings.Contains(opt.Text(), "NCPS") {
		t.Fatalf("NCPS not offered to applicants: %q", page.Doc.Find("select[name=credential_type_id]").Text())
	}
	res = applicant.post("/applications/new", url.Values{"credential_type_id": {strconv.FormatInt(got.ID, 10)}, "pathway": {"standard"}})
	wantStatus(t, res, http.StatusSeeOther)
	if n := app.examCount(`SELECT count(*) FROM applications WHERE credential_type_id = $1`, got.ID); n != 1 {
		t.Errorf("%d NCPS applications, want 1", n)
	}

	// Made inactive, it is no longer offered.
	edit := admin.get("/admin/credential-types/" + strconv.FormatInt(got.ID, 10))
	v := typeFormOf(t, edit)
	v.Del("active")
	wantStatus(t, admin.post("/admin/credential-types/"+strconv.FormatInt(got.ID, 10), v), http.StatusSeeOther)
	if applicant.get("/applications/new").Doc.Find(fmt.Sprintf("option[value=%q]", strconv.FormatInt(got.ID, 10))).Length() != 0 {
		t.Error("an inactive type is still offered")
	}
}

func TestCredentialTypeFormValidation(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	admin := app.client().login("admin@example.org")
	tests := []struct {
		name  string
		set   []string // key/value pairs over ncpsForm
		field string   // the field with the error, whose value must be kept
	}{
		{"blank code", []string{"code", ""}, "code"},
		{"lower-case code", []string{"code", "ncps"}, "code"},
		{"code too long for the database", []string{"code", "ABCDEFGHIJKLMNOP"}, "code"},
		{"code already used", []string{"code", "CPSRP"}, "code"},
		{"prefix already used", []string{"number_prefix", "CPSRP"}, "number_prefix"},
		{"prefix with digits", []string{"number_prefix", "NC1"}, "number_prefix"},
		{"blank name", []string{"name", " "}, "name"},
		{"cycle not a number", []string{"cycle_months", "two years"}, "cycle_months"},
		{"cycle out of range", []string{"cycle_months", "0"}, "cycle_months"},
		{"blank appeal days", []string{"appeal_days", ""}, "appeal_days"},
		{"negative supervised hours", []string{"supervised_hours", "-3"}, "supervised_hours"},
		{"training hours not quarter hours", []string{"training_hours", "80.1"}, "training_hours"},
		{"exam attempts zero", []string{"exam_max_attempts", "0"}, "exam_max_attempts"},
		{"ethics above total", []string{"ce_ethics_hours", "25"}, "ce_ethics_hours"},
		{"self-reported cap not hours", []string{"ce_self_reported_cap", "lots"}, "ce_self_reported_cap"},
		{"audit percent over 100", []string{"audit_percent", "101"}, "audit_percent"},
		{"reminders not a list", []string{"reminder_days", "90; 60"}, "reminder_days"},
		{"reminders repeated", []string{"reminder_days", "30, 30"}, "reminder_days"},
		{"fee with cents of cents", []string{"fee_exam", "150.005"}, "fee_exam"},
		{"fee negative", []string{"fee_id", "-5"}, "fee_id"},
		{"grandparenting without cut-off", []string{"grandparenting_enabled", "yes", "grandparenting_training_cutoff", ""}, "grandparenting_training_cutoff"},
		{"bad cut-off date", []string{"grandparenting_enabled", "yes", "grandparenting_training_cutoff", "31/05/2026"}, "grandparenting_training_cutoff"},
		{"closing before cut-off", []string{"grandparenting_enabled", "yes", "grandparenting_training_cutoff", "2026-05-31",
			"grandparenting_apply_until", "2026-05-01"}, "grandparenting_apply_until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := with(ncpsForm(), tt.set...)
			res := admin.post("/admin/credential-types/new", form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if msg := res.Text("#" + tt.field + "-error"); msg == "" {
				t.Errorf("no error next to %s; summary %q", tt.field, res.Text(".usa-alert--error"))
			}
			if res.Doc.Find(fmt.Sprintf(`.usa-alert--error a[href="#%s"]`, tt.field)).Length() != 1 {
				t.Errorf("error summary does not link to %s", tt.field)
			}
			if res.Doc.Find("#"+tt.field).Length() != 1 {
				t.Errorf("no element with id %s for the summary link", tt.field)
			}
			// Every typed value is kept, not only the wrong one.
			for _, name := range []string{tt.field, "name", "supervised_hours", "fee_exam", "reminder_days"} {
				if name == "description" {
					continue
				}
				if got := valueOf(res, name); got != strings.TrimSpace(form.Get(name)) {
					t.Errorf("input %s = %q, want the typed %q", name, got, form.Get(name))
				}
			}
			if _, ok := res.Doc.Find("input[name=exam_required]").Attr("checked"); !ok {
				t.Error("checkbox exam_required lost its state")
			}
			if n := app.examCount(`SELECT count(*) FROM credential_types`); n != 1 {
				t.Errorf("%d types stored, want only CPSRP", n)
			}
		})
	}
}

func TestEditCredentialType(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	app.createUser(peerboard.RoleAdmin, "admin2@example.org", nil)
	id := app.typeID("CPSRP")
	path := "/admin/credential-types/" + strconv.FormatInt(id, 10)
	admin := app.client().login("admin@example.org")

	page := admin.get("/admin/credential-types")
	if href, _ := page.Doc.Find("#credential-types a").First().Attr("href"); href != path {
		t.Errorf("list links to %q, want %q", href, path)
	}
	edit := admin.get(path)
	wantStatus(t, edit, http.StatusOK)
	for name, want := range map[string]string{"version": "1", "code": "CPSRP", "supervised_hours": "300", "ce_hours_per_cycle": "20",
		"fee_exam": "150.00", "fee_id": "50.00", "reminder_days": "90, 60, 30, 7", "grandparenting_training_cutoff": "2026-05-31",
		"ce_self_reported_cap": ""} {
		if got := valueOf(edit, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	legends := edit.Doc.Find("main fieldset > legend").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if want := "Identity|Cycle|Standard pathway|Grandparenting|CE and renewal|Fees"; strings.Join(legends, "|") != want {
		t.Errorf("legends %v, want %s", legends, want)
	}
	edit.Doc.Find("main form input:not([type=hidden]), main form textarea").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if id == "" || edit.Doc.Find(fmt.Sprintf("label[for=%q]", id)).Length() != 1 {
			t.Errorf("input %q has no label", id)
		}
	})
	if hint := edit.Text("#fee_exam-hint"); !strings.Contains(hint, "dollars") {
		t.Errorf("fee hint %q", hint)
	}
	if hint := edit.Text("#grace_days-hint"); !strings.Contains(hint, "days") {
		t.Errorf("grace hint %q", hint)
	}

	// A second admin loads the same version before the first saves.
	admin2 := app.client().login("admin2@example.org")
	stale := typeFormOf(t, admin2.get(path))

	v := with(typeFormOf(t, edit), "ce_hours_per_cycle", "24", "fee_exam", "175")
	res := admin.post(path, v)
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := app.db.CredentialTypeByID(context.Background(), id)
	if got.CEHoursPerCycle != 24 || got.FeeExamCents != 17500 || got.Version != 2 || got.SupervisedHours != 300 {
		t.Errorf("stored %+v", got)
	}
	if n := app.examCount(`SELECT count(*) FROM audit_events WHERE action = 'credential_type.updated' AND entity_id = $1
		AND after = '{"ce_hours_per_cycle": 24, "fee_exam_cents": 17500}' AND before = '{"ce_hours_per_cycle": 20, "fee_exam_cents": 15000}'`, id); n != 1 {
		t.Error("no audit event with the changed fields")
	}

	t.Run("stale form is a 409 showing the saved values", func(t *testing.T) {
		res := admin2.post(path, with(stale, "grace_days", "45", "name", "Renamed"))
		wantStatus(t, res, http.StatusConflict)
		if !strings.Contains(res.Text("#conflict"), "your changes were not saved") {
			t.Errorf("conflict message %q", res.Text("#conflict"))
		}
		if valueOf(res, "version") != "2" || valueOf(res, "ce_hours_per_cycle") != "24" || valueOf(res, "grace_days") != "90" {
			t.Errorf("form shows version %q, CE %q, grace %q; want the saved 2, 24, 90",
				valueOf(res, "version"), valueOf(res, "ce_hours_per_cycle"), valueOf(res, "grace_days"))
		}
		unsaved := res.Text("#unsaved-changes tbody")
		if !strings.Contains(unsaved, "Grace period") || !strings.Contains(unsaved, "45") || !strings.Contains(unsaved, "Renamed") {
			t.Errorf("unsaved changes %q", unsaved)
		}
		after, _ := app.db.CredentialTypeByID(context.Background(), id)
		if after.GraceDays != 90 || after.Name == "Renamed" || after.Version != 2 {
			t.Errorf("a stale form overwrote: %+v", after)
		}
		// Saving the refreshed form, as the page invites, works.
		wantStatus(t, admin2.post(path, with(typeFormOf(t, res), "grace_days", "45")), http.StatusSeeOther)
	})
	t.Run("validation error on edit keeps the input", func(t *testing.T) {
		cur := typeFormOf(t, admin.get(path))
		res := admin.post(path, with(cur, "audit_percent", "150", "name", "Typed name"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if valueOf(res, "audit_percent") != "150" || valueOf(res, "name") != "Typed name" || valueOf(res, "version") != cur.Get("version") {
			t.Errorf("kept %q %q %q", valueOf(res, "audit_percent"), valueOf(res, "name"), valueOf(res, "version"))
		}
		if res.Text("#audit_percent-error") == "" || res.Text("h1") != "Edit CPSRP" {
			t.Errorf("error %q, h1 %q", res.Text("#audit_percent-error"), res.Text("h1"))
		}
	})
	t.Run("unchanged save writes nothing", func(t *testing.T) {
		before := app.examCount(`SELECT count(*) FROM audit_events WHERE entity_type = 'credential_type'`)
		res := admin.post(path, typeFormOf(t, admin.get(path)))
		wantStatus(t, res, http.StatusSeeOther)
		if after := app.examCount(`SELECT count(*) FROM audit_events WHERE entity_type = 'credential_type'`); after != before {
			t.Errorf("%d new events for an unchanged save", after-before)
		}
	})
	t.Run("missing version is malformed", func(t *testing.T) {
		v := typeFormOf(t, admin.get(path))
		v.Del("version")
		wantStatus(t, admin.post(path, v), http.StatusBadRequest)
	})
}

func TestPrefixChangeRefusedOnceIssued(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	holder := app.createUser(peerboard.RoleApplicant, "holder@example.org", nil)
	id := app.typeID("CPSRP")
	path := "/admin/credential-types/" + strconv.FormatInt(id, 10)
	if _, err := app.db.Pool.Exec(context.Background(), `INSERT INTO credentials (number, user_id, credential_type_id,
		first_name, last_name, issued_on, expires_on) VALUES ($1, $2, $3, 'H', 'Older', '2026-01-01', '2028-01-01')`,
		peerboard.FormatCredentialNumber("CPSRP", 1), holder.ID, id); err != nil {
		t.Fatal(err)
	}
	admin := app.client().login("admin@example.org")
	page := admin.get(path)
	if !strings.Contains(page.Text("#number_prefix-hint"), "can no longer change") {
		t.Errorf("prefix hint %q", page.Text("#number_prefix-hint"))
	}
	res := admin.post(path, with(typeFormOf(t, page), "number_prefix", "CTPS"))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.Text("#number_prefix-error"); !strings.Contains(msg, "keep their prefix") {
		t.Errorf("prefix error %q", msg)
	}
	if valueOf(res, "number_prefix") != "CTPS" {
		t.Errorf("typed prefix not kept: %q", valueOf(res, "number_prefix"))
	}
	if got, _ := app.db.CredentialTypeByID(context.Background(), id); got.NumberPrefix != "CPSRP" || got.Version != 1 {
		t.Errorf("stored %+v", got)
	}
}

func orgForm(name, email, from, until string) url.Values {
	return url.Values{"name": {name}, "contact_email": {email}, "approved_from": {from}, "approved_until": {until}}
}

func TestOrganizationPages(t *testing.T) {
	app := newTestApp(t) // today is 2026-11-23
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	admin := app.client().login("admin@example.org")

	res := admin.post("/admin/organizations/new", orgForm("Recovery Academy", "Office@Academy.example", "2026-01-01", ""))
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, admin.post("/admin/organizations/new", orgForm("Lapsed Learning", "", "2025-01-01", "2026-06-30")), http.StatusSeeOther)
	wantStatus(t, admin.post("/admin/organizations/new", orgForm("Pending Peers", "", "", "")), http.StatusSeeOther)

	list := admin.get("/admin/organizations")
	wantStatus(t, list, http.StatusOK)
	approved := map[string]string{}
	list.Doc.Find("#organizations tbody tr").Each(func(_ int, s *goquery.Selection) {
		approved[strings.TrimSpace(s.Find("th").Text())] = strings.TrimSpace(s.Find(".approved-today").Text())
	})
	if approved["Recovery Academy"] != "Yes" || approved["Lapsed Learning"] != "No" || approved["Pending Peers"] != "No" {
		t.Errorf("approved today: %v", approved)
	}
	if !strings.Contains(list.Text("#organizations"), "No end date") || !strings.Contains(list.Text("#organizations"), "June 30, 2026") {
		t.Errorf("dates: %q", list.Text("#organizations"))
	}
	var id int64
	if err := app.db.Pool.QueryRow(context.Background(), `SELECT id FROM training_organizations WHERE name = 'Recovery Academy'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	path := "/admin/organizations/" + strconv.FormatInt(id, 10)
	if list.Doc.Find(fmt.Sprintf("#organizations a[href=%q]", path)).Length() != 1 {
		t.Error("no link to the organization")
	}
	if n := app.examCount(`SELECT count(*) FROM audit_events WHERE action = 'organization.created' AND entity_id = $1
		AND after->>'contact_email' = 'office@academy.example'`, id); n != 1 {
		t.Error("no organization.created event")
	}

	edit := admin.get(path)
	wantStatus(t, edit, http.StatusOK)
	if valueOf(edit, "name") != "Recovery Academy" || valueOf(edit, "approved_from") != "2026-01-01" || valueOf(edit, "approved_until") != "" {
		t.Errorf("edit form %q %q %q", valueOf(edit, "name"), valueOf(edit, "approved_from"), valueOf(edit, "approved_until"))
	}
	res = admin.post(path, orgForm("Recovery Academy", "office@academy.example", "2026-01-01", "2026-11-22"))
	wantStatus(t, res, http.StatusSeeOther)
	if n := app.examCount(`SELECT count(*) FROM audit_events WHERE action = 'organization.approval_changed' AND entity_id = $1
		AND before->'approved_until' = 'null' AND after->>'approved_until' = '2026-11-22'`, id); n != 1 {
		t.Error("no approval_changed event with before and after")
	}
	list = admin.get("/admin/organizations")
	if !strings.Contains(list.Text(".usa-alert"), "Recovery Academy saved") {
		t.Errorf("flash %q", list.Text(".usa-alert"))
	}
	if o, _ := app.db.OrganizationByID(context.Background(), id); o.ApprovedOn(app.now) {
		t.Error("approval did not lapse")
	}

	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"until before from", orgForm("New Org", "", "2026-02-01", "2026-01-31"), "approved_until"},
		{"until without from", orgForm("New Org", "", "", "2026-01-31"), "approved_from"},
		{"bad date", orgForm("New Org", "", "Feb 1", ""), "approved_from"},
		{"blank name", orgForm("  ", "", "2026-02-01", ""), "name"},
		{"bad email", orgForm("New Org", "not-an-email", "2026-02-01", ""), "contact_email"},
		{"name taken", orgForm("Lapsed Learning", "", "2026-02-01", ""), "name"},
	}
	for _, tt := range tests {
		for _, target := range []string{"/admin/organizations/new", path} {
			t.Run(tt.name+" "+target, func(t *testing.T) {
				res := admin.post(target, tt.form)
				wantStatus(t, res, http.StatusUnprocessableEntity)
				if res.Text("#"+tt.field+"-error") == "" {
					t.Errorf("no error on %s", tt.field)
				}
				if res.Doc.Find(fmt.Sprintf(`.usa-alert--error a[href="#%s"]`, tt.field)).Length() != 1 {
					t.Error("summary does not link to the field")
				}
				for _, k := range []string{"name", "contact_email", "approved_from", "approved_until"} {
					if got := valueOf(res, k); got != strings.TrimSpace(tt.form.Get(k)) {
						t.Errorf("%s = %q, want %q", k, got, tt.form.Get(k))
					}
				}
			})
		}
	}
	if n := app.examCount(`SELECT count(*) FROM training_organizations`); n != 3 {
		t.Errorf("%d organizations, want 3", n)
	}
	if o, _ := app.db.OrganizationByID(context.Background(), id); o.Name != "Recovery Academy" {
		t.Errorf("refused edit stored %+v", o)
	}
}

func TestOrganizationListPages(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	admin := app.client().login("admin@example.org")
	if _, err := app.db.Pool.Exec(context.Background(), `INSERT INTO training_organizations (name)
		SELECT 'Org & Co ' || lpad(n::text, 2, '0') FROM generate_series(1, 30) n`); err != nil {
		t.Fatal(err)
	}
	first := admin.get("/admin/organizations")
	if n := first.Doc.Find("#organizations tbody tr").Length(); n != 25 {
		t.Fatalf("%d rows on the first page, want 25", n)
	}
	next, ok := first.Doc.Find(".usa-pagination__next-page").Attr("href")
	if !ok {
		t.Fatal("no next link")
	}
	second := admin.get(next)
	wantStatus(t, second, http.StatusOK)
	rows := second.Doc.Find("#organizations tbody th")
	if rows.Length() != 5 || strings.TrimSpace(rows.First().Text()) != "Org & Co 26" {
		t.Errorf("second page: %d rows starting %q", rows.Length(), rows.First().Text())
	}
	if second.Doc.Find(".usa-pagination__next-page").Length() != 0 || second.Doc.Find(".usa-pagination__previous-page").Length() != 1 {
		t.Error("second page links")
	}
}
