package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// completeForm is a draft form that passes ValidateSubmission on either pathway.
func completeForm(version int) url.Values {
	return url.Values{
		"version": {strconv.Itoa(version)}, "first_name": {"Ada"}, "last_name": {"Lovelace"},
		"date_of_birth": {"1980-05-01"}, "phone": {"860-555-0100"}, "address_line": {"1 Main St"},
		"city": {"Hartford"}, "state": {"CT"}, "postal_code": {"06106"}, "lived_experience": {"family"},
		"supervised_hours": {"320"}, "prior_training_kind": {"rss"}, "prior_training_completed_on": {"2025-03-01"},
		"prior_training_provider": {"CT Recovery Academy"}, "attest_code_of_ethics": {"yes"},
		"attest_lived_experience": {"yes"}, "attest_release_of_information": {"yes"},
	}
}

// asUser returns a context acting as u, for repository calls in tests.
func asUser(u *peerboard.User) context.Context {
	return peerboard.NewContextWithUser(context.Background(), u)
}

// cpsrpID returns the seeded CPSRP credential type's id.
func (a *testApp) cpsrpID() int64 {
	a.t.Helper()
	t, err := a.db.CredentialTypeByCode(context.Background(), "CPSRP")
	if err != nil {
		a.t.Fatal(err)
	}
	return t.ID
}

// startApplication creates a draft for the applicant client c through the
// real route and returns its path.
func startApplication(t *testing.T, c *client, typeID int64, pathway string) string {
	t.Helper()
	res := c.post("/applications/new", url.Values{"credential_type_id": {strconv.FormatInt(typeID, 10)}, "pathway": {pathway}})
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.HasPrefix(res.Location(), "/applications/") {
		t.Fatalf("create redirected to %q", res.Location())
	}
	return res.Location()
}

// submittedCase creates and submits an application for u directly in the database.
func (a *testApp) submittedCase(u *peerboard.User, pathway peerboard.Pathway) *peerboard.Application {
	a.t.Helper()
	ctx := asUser(u)
	app, err := a.db.CreateApplication(ctx, u.ID, a.cpsrpID(), pathway)
	if err != nil {
		a.t.Fatal(err)
	}
	if pathway == peerboard.PathwayStandard {
		pgtest.Train(a.t, a.db, u.ID, u.Email)
	}
	in := draftInput()
	app, err = a.db.SubmitApplication(ctx, app.ID, app.Version, &in)
	if err != nil {
		a.t.Fatal(err)
	}
	return app
}

func inputValue(res *response, name string) string {
	v, _ := res.Doc.Find(fmt.Sprintf(`input[name=%q]`, name)).Attr("value")
	return v
}

func TestApplicantJourney(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client().login("ada@example.org")

	res := c.get("/dashboard")
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`a[href="/applications/new"]`).Length() != 1 {
		t.Error("dashboard has no Start an application button")
	}

	res = c.get("/applications/new")
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`input[name="pathway"][value="grandparenting"]`).Length() != 0 {
		t.Error("grandparenting offered after its window closed")
	}
	path := startApplication(t, c, app.cpsrpID(), "standard")

	res = c.get(path)
	wantStatus(t, res, http.StatusOK)
	if inputValue(res, "version") != "1" || res.Doc.Find(`input[name="attest_code_of_ethics"]`).Length() != 1 {
		t.Fatalf("edit form: version %q; want version 1 and the attestation boxes", inputValue(res, "version"))
	}
	_, ethicsText := peerboard.AttestationText(peerboard.AttestCodeOfEthics)
	if !strings.Contains(res.Text(`label[for="attest_code_of_ethics"]`), ethicsText[:40]) {
		t.Errorf("code of ethics label %q does not show the text", res.Text(`label[for="attest_code_of_ethics"]`))
	}

	// A malformed value refuses the save, keeping what was typed.
	res = c.post(path, url.Values{"version": {"1"}, "first_name": {"Ada"}, "date_of_birth": {"1980-13-45"}, "supervised_hours": {"lots"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if inputValue(res, "first_name") != "Ada" || inputValue(res, "date_of_birth") != "1980-13-45" || inputValue(res, "supervised_hours") != "lots" {
		t.Errorf("input not kept: %q %q %q", inputValue(res, "first_name"), inputValue(res, "date_of_birth"), inputValue(res, "supervised_hours"))
	}
	if res.Text("#date_of_birth-error") == "" || res.Text("#supervised_hours-error") == "" {
		t.Error("no error next to the date or the hours")
	}

	// Partial input is saved.
	res = c.post(path, url.Values{"version": {"1"}, "first_name": {"Ada"}, "attest_code_of_ethics": {"yes"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = c.get(path)
	if inputValue(res, "first_name") != "Ada" || inputValue(res, "version") != "2" || res.Doc.Find(`#attest_code_of_ethics[checked]`).Length() != 1 {
		t.Errorf("after save: first name %q, version %q; want Ada, 2, ethics ticked", inputValue(res, "first_name"), inputValue(res, "version"))
	}
	if res.Text(".usa-alert--success") != "Your draft was saved." {
		t.Errorf("flash = %q", res.Text(".usa-alert--success"))
	}

	// Submitting an incomplete form: field errors, input kept, nothing stored.
	incomplete := completeForm(2)
	incomplete.Set("phone", "")
	incomplete.Set("city", "New Haven")
	incomplete.Del("attest_release_of_information")
	res = c.post(path+"/submit", incomplete)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if inputValue(res, "city") != "New Haven" || res.Text("#phone-error") == "" || res.Text("#attest_release_of_information-error") == "" {
		t.Errorf("incomplete submit: city %q, phone error %q, release error %q", inputValue(res, "city"),
			res.Text("#phone-error"), res.Text("#attest_release_of_information-error"))
	}
	if n := app.caseCount(`SELECT count(*) FROM applications WHERE city = 'New Haven'`); n != 0 {
		t.Errorf("refused submit stored the city")
	}

	// Submit, then the same form again as a double click would.
	res = c.post(path+"/submit", completeForm(2))
	wantStatus(t, res, http.StatusSeeOther)
	res = c.post(path+"/submit", completeForm(2))
	wantStatus(t, res, http.StatusSeeOther)
	res = c.get(res.Location())
	if !strings.Contains(res.Text(".usa-alert--success"), "already submitted") {
		t.Errorf("second submit flash = %q, want already submitted", res.Text(".usa-alert--success"))
	}
	if n := app.caseCount(`SELECT count(*) FROM audit_events WHERE action = 'application.submitted'`); n != 1 {
		t.Errorf("%d submissions recorded, want 1", n)
	}

	// Read-only with the timeline.
	res = c.get(path)
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find(`input[name="first_name"]`).Length() != 0 || res.Text("#status") != "Submitted" {
		t.Errorf("submitted page is not read-only or status %q", res.Text("#status"))
	}
	if res.Doc.Find("#timeline li").Length() < 3 || !strings.Contains(res.Text("#timeline"), "Submitted") {
		t.Errorf("timeline = %q", res.Text("#timeline"))
	}
	res = c.get("/dashboard")
	if got := res.Text(`[data-status]`); got != "Submitted" || res.Text(".pb-next-step") == "" {
		t.Errorf("dashboard status %q, next step %q", got, res.Text(".pb-next-step"))
	}
	// A draft save sent after submission changes nothing.
	stale := completeForm(2)
	stale.Set("first_name", "Mallory")
	res = c.post(path, stale)
	wantStatus(t, res, http.StatusSeeOther)
	if n := app.caseCount(`SELECT count(*) FROM applications WHERE first_name = 'Mallory'`); n != 0 {
		t.Error("a save after submission changed the application")
	}
}

func TestStartApplicationErrors(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client().login("ada@example.org")
	id := app.cpsrpID()

	res := c.post("/applications/new", url.Values{"credential_type_id": {strconv.FormatInt(id, 10)}, "pathway": {"grandparenting"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#pathway-error") == "" {
		t.Error("closed grandparenting: no error next to the pathway")
	}
	res = c.post("/applications/new", url.Values{"credential_type_id": {"abc"}, "pathway": {"standard"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#credential_type_id-error") == "" {
		t.Error("bad type: no error next to the credential")
	}

	startApplication(t, c, id, "standard")
	res = c.post("/applications/new", url.Values{"credential_type_id": {strconv.FormatInt(id, 10)}, "pathway": {"standard"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Text(".usa-alert--error"), "already have an open application") {
		t.Errorf("duplicate: alert %q", res.Text(".usa-alert--error"))
	}
	if n := app.caseCount(`SELECT count(*) FROM applications`); n != 1 {
		t.Errorf("%d applications, want 1", n)
	}

	// While the window is open, grandparenting is offered and accepted.
	app.now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	app.createUser(peerboard.RoleApplicant, "bob@example.org", nil)
	b := app.client().login("bob@example.org")
	res = b.get("/applications/new")
	if res.Doc.Find(`input[name="pathway"][value="grandparenting"]`).Length() != 1 {
		t.Error("grandparenting not offered while open")
	}
	path := startApplication(t, b, id, "grandparenting")
	res = b.get(path)
	if res.Doc.Find(`input[name="prior_training_completed_on"]`).Length() != 1 {
		t.Error("grandparenting draft has no prior training fields")
	}
}

func TestApplicantStaleForm(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	c := app.client().login("ada@example.org")
	path := startApplication(t, c, app.cpsrpID(), "standard")

	wantStatus(t, c.post(path, url.Values{"version": {"1"}, "first_name": {"Ada"}}), http.StatusSeeOther)
	// A second tab still shows version 1.
	res := c.post(path, url.Values{"version": {"1"}, "first_name": {"Other tab"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Text(".usa-alert--error"), "This application changed") || inputValue(res, "first_name") != "Other tab" ||
		inputValue(res, "version") != "2" {
		t.Errorf("stale save: alert %q, input %q, version %q", res.Text(".usa-alert--error"), inputValue(res, "first_name"), inputValue(res, "version"))
	}
	if n := app.caseCount(`SELECT count(*) FROM applications WHERE first_name = 'Ada' AND version = 2`); n != 1 {
		t.Error("the stale save changed the application")
	}
	// A form without a version was not made by our pages.
	wantStatus(t, c.post(path, url.Values{"first_name": {"X"}}), http.StatusBadRequest)
}

func TestAnswerRequestAndWithdraw(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	rev := app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	c := app.client().login("ada@example.org")
	a := app.submittedCase(u, peerboard.PathwayStandard)
	out, err := app.db.DecideApplication(asUser(rev), a.ID, a.Version, peerboard.DecisionRequestInfo, "Send your supervisor's letter")
	if err != nil {
		t.Fatal(err)
	}
	v := out.Application.Version
	path := fmt.Sprintf("/applications/%d", a.ID)

	res := c.get(path)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Text("#board-message"), "Send your supervisor's letter") || res.Doc.Find(`textarea[name="message"]`).Length() != 1 {
		t.Fatalf("needs-information page: message %q", res.Text("#board-message"))
	}
	res = c.post(path+"/respond", url.Values{"version": {strconv.Itoa(v)}, "message": {" "}, "supervised_hours": {"310"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#message-error") == "" || inputValue(res, "supervised_hours") != "310" {
		t.Errorf("empty answer: error %q, hours kept %q", res.Text("#message-error"), inputValue(res, "supervised_hours"))
	}
	res = c.post(path+"/respond", url.Values{"version": {strconv.Itoa(v)}, "message": {"Letter sent"}, "supervised_hours": {"many"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Doc.Find("textarea#message").Text() != "Letter sent" {
		t.Errorf("answer not kept: %q", res.Doc.Find("textarea#message").Text())
	}
	res = c.post(path+"/respond", url.Values{"version": {strconv.Itoa(v - 1)}, "message": {"Stale"}})
	wantStatus(t, res, http.StatusConflict)
	res = c.post(path+"/respond", url.Values{"version": {strconv.Itoa(v)}, "message": {"Letter sent"}, "supervised_hours": {"310"}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppResubmitted || got.SupervisedHours != 310 {
		t.Fatalf("after answer: %s, %d hours", got.Status, got.SupervisedHours)
	}
	// The same answer sent twice does not resubmit twice.
	res = c.post(path+"/respond", url.Values{"version": {strconv.Itoa(v)}, "message": {"Letter sent"}})
	wantStatus(t, res, http.StatusConflict)

	// Withdraw, with a confirmation page.
	res = c.get(path + "/withdraw")
	wantStatus(t, res, http.StatusOK)
	if inputValue(res, "version") != strconv.Itoa(got.Version) {
		t.Errorf("confirmation version %q, want %d", inputValue(res, "version"), got.Version)
	}
	res = c.post(path+"/withdraw", url.Values{"version": {strconv.Itoa(got.Version - 1)}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Text(".usa-alert--error"), "changed") {
		t.Errorf("stale withdraw alert %q", res.Text(".usa-alert--error"))
	}
	res = c.post(path+"/withdraw", url.Values{"version": {strconv.Itoa(got.Version)}})
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/dashboard" {
		t.Errorf("withdraw → %q", res.Location())
	}
	got, _ = app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppWithdrawn {
		t.Errorf("status %s, want withdrawn", got.Status)
	}
	// Withdrawing again is a friendly redirect, not an error.
	wantStatus(t, c.post(path+"/withdraw", url.Values{"version": {strconv.Itoa(got.Version)}}), http.StatusSeeOther)
}

func TestDashboardShowsCredentialsAndExams(t *testing.T) {
	app := newTestApp(t)
	app.now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	rev := app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayGrandparenting)
	out, err := app.db.DecideApplication(asUser(rev), a.ID, a.Version, peerboard.DecisionApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	v := app.createUser(peerboard.RoleApplicant, "vic@example.org", nil)
	b := app.submittedCase(v, peerboard.PathwayStandard)
	outB, err := app.db.DecideApplication(asUser(rev), b.ID, b.Version, peerboard.DecisionApprove, "")
	if err != nil {
		t.Fatal(err)
	}

	res := app.client().login("ada@example.org").get("/dashboard")
	wantStatus(t, res, http.StatusOK)
	if res.Text("#credentials tbody th") != out.Credential.Number || !strings.Contains(res.Text("#credentials"), "September 1, 2028") {
		t.Errorf("credentials table = %q, want %s expiring 2028", res.Text("#credentials"), out.Credential.Number)
	}
	res = app.client().login("vic@example.org").get("/dashboard")
	if res.Text("#exams tbody th") != outB.Exam.CandidateID || !strings.Contains(res.Text("#exams"), "September 1, 2027") {
		t.Errorf("exams table = %q, want %s", res.Text("#exams"), outB.Exam.CandidateID)
	}
	res = app.client().login("vic@example.org").get(fmt.Sprintf("/applications/%d", b.ID))
	if !strings.Contains(res.Text(".usa-summary-box"), outB.Exam.CandidateID) {
		t.Errorf("approved case page does not show the candidate id: %q", res.Text(".usa-summary-box"))
	}
}

// TestApplicantOtherPersonsCase proves another applicant's ids answer 404
// on every route and change nothing.
func TestApplicantOtherPersonsCase(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	app.createUser(peerboard.RoleApplicant, "eve@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayStandard)
	eve := app.client().login("eve@example.org")
	base := fmt.Sprintf("/applications/%d", a.ID)
	form := completeForm(a.Version)
	form.Set("message", "hi")
	for _, tc := range []struct{ method, path string }{
		{"GET", base}, {"POST", base}, {"POST", base + "/submit"}, {"POST", base + "/respond"},
		{"GET", base + "/withdraw"}, {"POST", base + "/withdraw"},
		{"GET", "/applications/999999"}, {"GET", "/applications/abc"}, {"POST", "/applications/999999/withdraw"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var res *response
			if tc.method == "GET" {
				res = eve.get(tc.path)
			} else {
				res = eve.post(tc.path, form)
			}
			wantStatus(t, res, http.StatusNotFound)
		})
	}
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppSubmitted || got.Version != a.Version {
		t.Errorf("another person's requests changed the case: %s v%d", got.Status, got.Version)
	}
}

// TestApplicantRoutesByRole tries every applicant route with every other role.
func TestApplicantRoutesByRole(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayStandard)
	app.createUser(peerboard.RoleTrainer, "trainer@example.org", app.caseOrg("Role Test Training"))
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	base := fmt.Sprintf("/applications/%d", a.ID)
	routes := []struct{ method, path string }{
		{"GET", "/applications/new"}, {"POST", "/applications/new"}, {"GET", base}, {"POST", base},
		{"POST", base + "/submit"}, {"POST", base + "/respond"}, {"GET", base + "/withdraw"}, {"POST", base + "/withdraw"},
	}
	for _, email := range []string{"trainer@example.org", "rev@example.org", "admin@example.org"} {
		c := app.client().login(email)
		for _, rt := range routes {
			t.Run(email+" "+rt.method+" "+rt.path, func(t *testing.T) {
				var res *response
				if rt.method == "GET" {
					res = c.get(rt.path)
				} else {
					res = c.post(rt.path, completeForm(a.Version))
				}
				wantStatus(t, res, http.StatusForbidden)
			})
		}
	}
	anon := app.client()
	for _, rt := range routes {
		t.Run("anonymous "+rt.method+" "+rt.path, func(t *testing.T) {
			if rt.method == "GET" {
				res := anon.get(rt.path)
				wantStatus(t, res, http.StatusSeeOther)
				if !strings.HasPrefix(res.Location(), "/login?next=") {
					t.Errorf("Location = %q", res.Location())
				}
			} else {
				wantStatus(t, anon.post(rt.path, completeForm(a.Version)), http.StatusUnauthorized)
			}
		})
	}
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Version != a.Version {
		t.Error("another role changed the case")
	}
}

// draftInput is completeForm as the repository takes it.
func draftInput() postgres.DraftInput {
	dob := time.Date(1980, 5, 1, 0, 0, 0, 0, time.UTC)
	prior := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	return postgres.DraftInput{
		Details: peerboard.ApplicantDetails{FirstName: "Ada", LastName: "Lovelace", Phone: "860-555-0100",
			AddressLine: "1 Main St", City: "Hartford", State: "CT", PostalCode: "06106", DateOfBirth: &dob},
		LivedExperience: peerboard.LivedFamily, SupervisedHours: 320,
		PriorTrainingKind: peerboard.PriorTrainingRSS, PriorTrainingCompletedOn: &prior, PriorTrainingProvider: "CT Recovery Academy",
		Signed: map[peerboard.AttestationKind]bool{peerboard.AttestCodeOfEthics: true,
			peerboard.AttestLivedExperience: true, peerboard.AttestReleaseOfInformation: true},
	}
}

// caseCount runs a SELECT count(*) query.
func (a *testApp) caseCount(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// caseOrg creates a training organization for trainer accounts.
func (a *testApp) caseOrg(name string) *int64 {
	a.t.Helper()
	id, err := a.db.EnsureDemoOrganization(context.Background(), name, postgres.DateOf(a.now))
	if err != nil {
		a.t.Fatal(err)
	}
	return &id
}
