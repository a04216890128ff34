package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// trainingOrgFixture creates an organization (approved unless lapsed) with one
// trainer and one active course, and returns the trainer and the course id.
func (a *testApp) trainingOrgFixture(name, email string, lapsed bool) (*peerboard.User, int64) {
	a.t.Helper()
	ctx := context.Background()
	var orgID int64
	from, until := a.now.AddDate(-1, 0, 0), a.now.AddDate(1, 0, 0)
	if lapsed {
		until = a.now.AddDate(0, 0, -1)
	}
	if err := a.db.Pool.QueryRow(ctx, `INSERT INTO training_organizations (name, approved_from, approved_until)
		VALUES ($1, $2, $3) RETURNING id`, name, from, until).Scan(&orgID); err != nil {
		a.t.Fatal(err)
	}
	tr := a.createUser(peerboard.RoleTrainer, email, &orgID)
	course := &peerboard.Course{Code: "PEER-80", Title: "Peer support at " + name, TotalHours: 80, IncludesEthicsModule: true,
		CompetencyHours: map[peerboard.Competency]float64{peerboard.CompEngages: 6.5, peerboard.CompCrises: 8}}
	if err := a.db.CreateCourse(peerboard.NewContextWithUser(ctx, tr), orgID, course); err != nil {
		a.t.Fatal(err)
	}
	return tr, course.ID
}

// examCount runs a SELECT count(*) query for the trainer and exam tests.
func (a *testApp) examCount(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestTrainerRoutesAreForTrainersOnly(t *testing.T) {
	app := newTestApp(t)
	app.trainingOrgFixture("Org", "trainer@example.org", false)
	app.createUser(peerboard.RoleApplicant, "applicant@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "reviewer@example.org", nil)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	paths := []string{"/trainer", "/trainer/completions/new", "/trainer/courses/new"}
	for _, path := range paths {
		t.Run("anonymous "+path, func(t *testing.T) {
			c := app.client()
			res := c.get(path)
			wantStatus(t, res, http.StatusSeeOther)
			if !strings.HasPrefix(res.Location(), "/login") {
				t.Errorf("redirect to %q, want /login", res.Location())
			}
			if path != "/trainer" {
				wantStatus(t, c.post(path, url.Values{}), http.StatusUnauthorized)
			}
		})
		for _, email := range []string{"applicant@example.org", "reviewer@example.org", "admin@example.org"} {
			t.Run(email+" "+path, func(t *testing.T) {
				c := app.client().login(email)
				wantStatus(t, c.get(path), http.StatusForbidden)
				if path != "/trainer" {
					wantStatus(t, c.post(path, url.Values{"person_name": {"X"}}), http.StatusForbidden)
				}
			})
		}
		t.Run("trainer "+path, func(t *testing.T) {
			wantStatus(t, app.client().login("trainer@example.org").get(path), http.StatusOK)
		})
	}
	if n := app.examCount(`SELECT count(*) FROM training_completions`); n != 0 {
		t.Errorf("%d completions stored by refused requests", n)
	}
}

func TestTrainerRecordsCompletions(t *testing.T) {
	app := newTestApp(t)
	_, course1 := app.trainingOrgFixture("First Org", "one@example.org", false)
	_, course2 := app.trainingOrgFixture("Second Org", "two@example.org", false)
	holder := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	one := app.client().login("one@example.org")

	home := one.get("/trainer")
	wantStatus(t, home, http.StatusOK)
	if got := home.Text("h1"); got != "First Org" {
		t.Errorf("h1 = %q", got)
	}
	if home.Doc.Find(".usa-alert--warning").Length() != 0 {
		t.Error("an approved organization sees the approval warning")
	}
	if got := home.Doc.Find("table caption:contains('PEER-80')").Length(); got != 1 {
		t.Errorf("%d competency tables for PEER-80, want 1", got)
	}
	if got := home.Doc.Find("tr:contains('Helps peers to manage crises') td").Text(); got != "8" {
		t.Errorf("crises hours = %q, want 8", got)
	}

	form := one.get("/trainer/completions/new")
	wantStatus(t, form, http.StatusOK)
	opts := form.Doc.Find("select#course_id option[value!='']")
	if opts.Length() != 1 || opts.AttrOr("value", "") != strconv.FormatInt(course1, 10) {
		t.Errorf("course options = %d (first %q); want only the organization's own course", opts.Length(), opts.AttrOr("value", ""))
	}

	valid := url.Values{"person_name": {"Ada Lovelace"}, "person_email": {"ADA@example.org"},
		"course_id": {strconv.FormatInt(course1, 10)}, "completed_on": {"2026-11-01"}}
	res := one.post("/trainer/completions/new", valid)
	wantStatus(t, res, http.StatusSeeOther)
	home = one.get(res.Location())
	if !strings.Contains(home.Text(".usa-alert--success"), "Recorded") {
		t.Errorf("flash = %q", home.Text(".usa-alert--success"))
	}
	if got := home.Doc.Find("tbody tr:contains('ada@example.org')").Length(); got != 1 {
		t.Errorf("%d rows for ada on /trainer, want 1", got)
	}
	if n := app.examCount(`SELECT count(*) FROM training_completions WHERE user_id = $1 AND recorded_by IS NOT NULL`, holder.ID); n != 1 {
		t.Errorf("%d completions attached to ada, want 1", n)
	}
	if n := app.examCount(`SELECT count(*) FROM audit_events WHERE action = 'training.completion_recorded'`); n != 1 {
		t.Errorf("%d audit events, want 1", n)
	}

	t.Run("the same completion twice", func(t *testing.T) {
		res := one.post("/trainer/completions/new", valid)
		wantStatus(t, res, http.StatusSeeOther)
		if flash := one.get(res.Location()).Text(".usa-alert--success"); !strings.Contains(flash, "already recorded") {
			t.Errorf("flash = %q, want 'already recorded'", flash)
		}
		if n := app.examCount(`SELECT count(*) FROM training_completions`); n != 1 {
			t.Errorf("%d completions, want 1", n)
		}
	})

	bad := []struct {
		name  string
		field string
		edit  func(url.Values)
	}{
		{"another organization's course", "course_id", func(v url.Values) { v.Set("course_id", strconv.FormatInt(course2, 10)) }},
		{"unknown course", "course_id", func(v url.Values) { v.Set("course_id", "999999") }},
		{"future date", "completed_on", func(v url.Values) { v.Set("completed_on", "2026-11-24") }},
		{"before 2000", "completed_on", func(v url.Values) { v.Set("completed_on", "1999-12-31") }},
		{"malformed email", "person_email", func(v url.Values) { v.Set("person_email", "ada@") }},
		{"no name", "person_name", func(v url.Values) { v.Set("person_name", "") }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range valid {
				v[k] = append([]string(nil), vs...)
			}
			v.Set("person_email", "grace@example.org")
			tt.edit(v)
			res := one.post("/trainer/completions/new", v)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if res.Doc.Find("#"+tt.field+"-error").Length() != 1 {
				t.Errorf("no error next to %s", tt.field)
			}
			if got := res.Doc.Find("#person_name").AttrOr("value", ""); got != v.Get("person_name") {
				t.Errorf("name not kept: %q", got)
			}
			if n := app.examCount(`SELECT count(*) FROM training_completions`); n != 1 {
				t.Errorf("%d completions, want 1", n)
			}
		})
	}

	t.Run("second organization sees only its own", func(t *testing.T) {
		two := app.client().login("two@example.org")
		home := two.get("/trainer")
		wantStatus(t, home, http.StatusOK)
		if strings.Contains(home.Body, "ada@example.org") || strings.Contains(home.Body, "First Org") {
			t.Error("the second organization sees the first one's records")
		}
	})
}

func TestTrainerSeesLapsedApprovalWarning(t *testing.T) {
	app := newTestApp(t)
	app.trainingOrgFixture("Lapsed Org", "lapsed@example.org", true)
	res := app.client().login("lapsed@example.org").get("/trainer")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Text(".usa-alert--warning"), "not count") {
		t.Errorf("warning = %q", res.Text(".usa-alert--warning"))
	}
}

func TestTrainerAddsCourse(t *testing.T) {
	app := newTestApp(t)
	app.trainingOrgFixture("Org", "t@example.org", false)
	c := app.client().login("t@example.org")
	wantStatus(t, c.get("/trainer/courses/new"), http.StatusOK)

	form := url.Values{"code": {"ETHICS-8"}, "title": {"Peer ethics"}, "total_hours": {"8"}, "ethics_module": {"yes"},
		"hours_1": {"2.5"}, "hours_12": {"5.5"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("hours_12", "6") // 8.5 > 8
	res := c.post("/trainer/courses/new", bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Doc.Find("#total_hours-error").Length() != 1 || res.Doc.Find("#hours_12").AttrOr("value", "") != "6" {
		t.Errorf("sum over total: no error on total_hours or input lost")
	}
	res = c.post("/trainer/courses/new", form)
	wantStatus(t, res, http.StatusSeeOther)
	res = c.post("/trainer/courses/new", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Doc.Find("#code-error").Length() != 1 {
		t.Error("duplicate code: no error next to code")
	}
	home := c.get("/trainer")
	if got := home.Doc.Find("section:contains('ETHICS-8') tr:contains('Promotes growth and development') td").Text(); got != "5.5" {
		t.Errorf("growth hours on /trainer = %q, want 5.5", got)
	}
	if n := app.examCount(`SELECT count(*) FROM training_courses WHERE code = 'ETHICS-8' AND includes_ethics_module`); n != 1 {
		t.Errorf("%d ETHICS-8 courses, want 1", n)
	}
}
