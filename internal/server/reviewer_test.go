package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func queueRowIDs(res *response) []string {
	var ids []string
	res.Doc.Find("#queue tbody tr").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-id")
		ids = append(ids, id)
	})
	return ids
}

func TestReviewQueuePages(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	rc := app.client().login("rev@example.org")

	// 27 cases a minute apart, 2 of them grandparenting (window still open).
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 27 {
		app.now = start.Add(time.Duration(i) * time.Minute)
		u := app.createUser(peerboard.RoleApplicant, fmt.Sprintf("a%02d@example.org", i), nil)
		pathway := peerboard.PathwayStandard
		if i == 4 || i == 20 {
			pathway = peerboard.PathwayGrandparenting
		}
		ids = append(ids, strconv.FormatInt(app.submittedCase(u, pathway).ID, 10))
	}
	app.now = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

	res := rc.get("/review")
	wantStatus(t, res, http.StatusOK)
	if got := queueRowIDs(res); strings.Join(got, ",") != strings.Join(ids[:25], ",") {
		t.Fatalf("page 1 = %v, want %v", got, ids[:25])
	}
	next, ok := res.Doc.Find("a.usa-pagination__next-page").Attr("href")
	if !ok || res.Doc.Find("a.usa-pagination__previous-page").Length() != 0 {
		t.Fatalf("page 1 pager: next %q", next)
	}
	res = rc.get(next)
	wantStatus(t, res, http.StatusOK)
	if got := queueRowIDs(res); strings.Join(got, ",") != strings.Join(ids[25:], ",") {
		t.Errorf("page 2 = %v, want %v", got, ids[25:])
	}
	prev, _ := res.Doc.Find("a.usa-pagination__previous-page").Attr("href")
	if got := queueRowIDs(rc.get(prev)); strings.Join(got, ",") != strings.Join(ids[:25], ",") {
		t.Errorf("back to page 1 = %v", got)
	}

	res = rc.get("/review?pathway=grandparenting")
	if got := queueRowIDs(res); strings.Join(got, ",") != ids[4]+","+ids[20] {
		t.Errorf("grandparenting = %v, want %s,%s", got, ids[4], ids[20])
	}
	if v, _ := res.Doc.Find(`#pathway option[selected]`).Attr("value"); v != "grandparenting" {
		t.Errorf("pathway filter not kept: %q", v)
	}
	res = rc.get("/review?status=approved")
	if res.Doc.Find("#empty-queue").Length() != 1 {
		t.Error("approved filter is not empty")
	}
	wantStatus(t, rc.get("/review?status=bogus"), http.StatusUnprocessableEntity)
	wantStatus(t, rc.get("/review?after=nonsense"), http.StatusBadRequest)
}

func TestReviewCaseAndDecisions(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	rc := app.client().login("rev@example.org")
	a := app.submittedCase(u, peerboard.PathwayStandard)
	path := fmt.Sprintf("/review/applications/%d", a.ID)

	res := rc.get(path)
	wantStatus(t, res, http.StatusOK)
	for sel, want := range map[string]string{
		"#details":      "Lovelace",
		"#attestations": "Code of ethics",
		"#checklist":    "approved training",
		"#timeline":     "Submitted",
		"#audit":        "application.submitted",
	} {
		if !strings.Contains(res.Text(sel), want) {
			t.Errorf("%s = %q, want it to mention %q", sel, res.Text(sel), want)
		}
	}
	if !strings.Contains(res.Text("#training"), "Core curriculum") {
		t.Errorf("training section = %q, want the recorded course", res.Text("#training"))
	}

	// Start the review: assigned to the reviewer.
	res = rc.post(path+"/start", url.Values{"version": {strconv.Itoa(a.Version)}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppUnderReview || got.AssignedTo == nil {
		t.Fatalf("after start: %s, assigned %v", got.Status, got.AssignedTo)
	}

	// A denial without reasons is refused, keeping the choice.
	res = rc.post(path+"/decide", url.Values{"version": {strconv.Itoa(got.Version)}, "decision": {"deny"}, "reason": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.Text("#reason-error") == "" || res.Doc.Find(`input[name="decision"][value="deny"][checked]`).Length() != 1 {
		t.Errorf("refused denial: reason error %q, deny kept %d", res.Text("#reason-error"), res.Doc.Find(`input[value="deny"][checked]`).Length())
	}
	res = rc.post(path+"/decide", url.Values{"version": {strconv.Itoa(got.Version)}, "decision": {"request_info"}, "reason": {"   "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	// Approve: the exam authorization is issued in the same step.
	res = rc.post(path+"/decide", url.Values{"version": {strconv.Itoa(got.Version)}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = rc.get(res.Location())
	if !strings.Contains(res.Text(".usa-alert--success"), "Exam authorization") || res.Text("#status") != "Approved" {
		t.Errorf("after approval: flash %q, status %q", res.Text(".usa-alert--success"), res.Text("#status"))
	}
	if !strings.Contains(res.Text("#audit"), "exam.authorized") || res.Doc.Find(`form[action$="/decide"]`).Length() != 0 {
		t.Errorf("approved case: audit %q; decision form still shown", res.Text("#audit"))
	}
	if n := app.caseCount(`SELECT count(*) FROM exam_authorizations WHERE application_id = $1`, a.ID); n != 1 {
		t.Errorf("%d exam authorizations, want 1", n)
	}
	// A late second approval of the same form is a conflict, not a second authorization.
	res = rc.post(path+"/decide", url.Values{"version": {strconv.Itoa(got.Version)}, "decision": {"approve"}})
	wantStatus(t, res, http.StatusConflict)
}

func TestReviewDecisionPaths(t *testing.T) {
	app := newTestApp(t)
	app.now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC) // grandparenting open
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	rc := app.client().login("admin@example.org")
	decide := func(a *peerboard.Application, decision, reason string) *response {
		t.Helper()
		return rc.post(fmt.Sprintf("/review/applications/%d/decide", a.ID),
			url.Values{"version": {strconv.Itoa(a.Version)}, "decision": {decision}, "reason": {reason}})
	}

	gp := app.submittedCase(app.createUser(peerboard.RoleApplicant, "gp@example.org", nil), peerboard.PathwayGrandparenting)
	wantStatus(t, decide(gp, "approve", "Certificate checked"), http.StatusSeeOther)
	if n := app.caseCount(`SELECT count(*) FROM credentials WHERE application_id = $1 AND status = 'active' AND family_modifier`, gp.ID); n != 1 {
		t.Errorf("grandparenting approval issued %d credentials, want 1", n)
	}
	res := app.client().login("gp@example.org").get("/dashboard")
	if !strings.HasPrefix(res.Text("#credentials tbody th"), "CPSRP") {
		t.Errorf("holder's dashboard credentials = %q", res.Text("#credentials"))
	}

	dn := app.submittedCase(app.createUser(peerboard.RoleApplicant, "dn@example.org", nil), peerboard.PathwayStandard)
	wantStatus(t, decide(dn, "deny", "No supervised hours documented"), http.StatusSeeOther)
	res = app.client().login("dn@example.org").get(fmt.Sprintf("/applications/%d", dn.ID))
	if !strings.Contains(res.Text("#board-message"), "No supervised hours documented") || !strings.Contains(res.Text(".usa-summary-box"), "October 1, 2026") {
		t.Errorf("denied applicant sees message %q and next step %q", res.Text("#board-message"), res.Text(".usa-summary-box"))
	}

	ri := app.submittedCase(app.createUser(peerboard.RoleApplicant, "ri@example.org", nil), peerboard.PathwayStandard)
	wantStatus(t, decide(ri, "request_info", "Send the hours log"), http.StatusSeeOther)
	got, _ := app.db.ApplicationByID(context.Background(), ri.ID)
	if got.Status != peerboard.AppNeedsInformation || got.InfoDeadline == nil || got.InfoDeadline.Format(time.DateOnly) != "2026-10-01" {
		t.Errorf("request info: %s, deadline %v", got.Status, got.InfoDeadline)
	}
	if n := app.caseCount(`SELECT count(*) FROM audit_events WHERE entity_type = 'application' AND entity_id = $1
		AND action IN ('application.under_review', 'application.needs_information')`, ri.ID); n != 2 {
		t.Errorf("%d review events, want under_review and needs_information", n)
	}
}

// TestTwoReviewersDecideAtOnce sends two decisions made on the same version
// at the same time: one wins, the other sees the case as it now is.
func TestTwoReviewersDecideAtOnce(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleReviewer, "r1@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "r2@example.org", nil)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayStandard)
	path := fmt.Sprintf("/review/applications/%d/decide", a.ID)
	clients := []*client{app.client().login("r1@example.org"), app.client().login("r2@example.org")}
	forms := []url.Values{
		{"version": {strconv.Itoa(a.Version)}, "decision": {"approve"}},
		{"version": {strconv.Itoa(a.Version)}, "decision": {"deny"}, "reason": {"Incomplete"}},
	}
	results := make([]*response, 2)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() { results[i] = clients[i].post(path, forms[i]) })
	}
	wg.Wait()

	var loser *response
	wins := 0
	for _, res := range results {
		switch res.StatusCode {
		case http.StatusSeeOther:
			wins++
		case http.StatusConflict:
			loser = res
		default:
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	if wins != 1 || loser == nil {
		t.Fatalf("wins = %d, want one winner and one 409", wins)
	}
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if !strings.Contains(loser.Text("#conflict"), "This case changed") || loser.Text("#status") != got.Status.Label() {
		t.Errorf("409 page: %q, status shown %q, want the current %s", loser.Text("#conflict"), loser.Text("#status"), got.Status.Label())
	}
	if n := app.caseCount(`SELECT count(*) FROM audit_events WHERE entity_type = 'application' AND entity_id = $1
		AND action IN ('application.approved', 'application.denied')`, a.ID); n != 1 {
		t.Errorf("%d decisions recorded, want 1", n)
	}
}

func TestReviewerCannotDecideOwnApplication(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayStandard)
	// The applicant later joins the board's staff.
	if err := app.db.SetUserRole(context.Background(), u.ID, peerboard.RoleReviewer, nil); err != nil {
		t.Fatal(err)
	}
	c := app.client().login("ada@example.org")
	path := fmt.Sprintf("/review/applications/%d", a.ID)
	res := c.get(path)
	wantStatus(t, res, http.StatusOK)
	if res.Doc.Find("#own-case").Length() != 1 || res.Doc.Find(`form[action$="/decide"]`).Length() != 0 {
		t.Error("own case page offers a decision")
	}
	wantStatus(t, c.post(path+"/decide", url.Values{"version": {strconv.Itoa(a.Version)}, "decision": {"approve"}}), http.StatusForbidden)
	wantStatus(t, c.post(path+"/start", url.Values{"version": {strconv.Itoa(a.Version)}}), http.StatusForbidden)
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppSubmitted || got.Version != a.Version {
		t.Errorf("own decision changed the case: %s v%d", got.Status, got.Version)
	}
}

// TestReviewerRoutesByRole tries every reviewer route with every other role.
func TestReviewerRoutesByRole(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(peerboard.RoleApplicant, "ada@example.org", nil)
	a := app.submittedCase(u, peerboard.PathwayStandard)
	app.createUser(peerboard.RoleTrainer, "trainer@example.org", app.caseOrg("Review Role Test Training"))
	base := fmt.Sprintf("/review/applications/%d", a.ID)
	routes := []struct{ method, path string }{
		{"GET", "/review"}, {"GET", base}, {"POST", base + "/start"}, {"POST", base + "/decide"},
	}
	form := url.Values{"version": {strconv.Itoa(a.Version)}, "decision": {"approve"}}
	for _, email := range []string{"ada@example.org", "trainer@example.org"} {
		c := app.client().login(email)
		for _, rt := range routes {
			t.Run(email+" "+rt.method+" "+rt.path, func(t *testing.T) {
				var res *response
				if rt.method == "GET" {
					res = c.get(rt.path)
				} else {
					res = c.post(rt.path, form)
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
				wantStatus(t, anon.post(rt.path, form), http.StatusUnauthorized)
			}
		})
	}
	// Staff asking for a case that does not exist get 404.
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	rc := app.client().login("rev@example.org")
	wantStatus(t, rc.get("/review/applications/999999"), http.StatusNotFound)
	wantStatus(t, rc.post("/review/applications/999999/decide", form), http.StatusNotFound)
	wantStatus(t, rc.get("/review/applications/abc"), http.StatusNotFound)
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Version != a.Version {
		t.Error("another role changed the case")
	}
}

// A case whose checklist has missing requirements cannot be approved; the
// reviewer is told what is missing and nothing changes.
func TestApproveRefusedWhileRequirementsMissing(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	u := app.createUser(peerboard.RoleApplicant, "untrained@example.org", nil)
	ctx := asUser(u)
	a, err := app.db.CreateApplication(ctx, u.ID, app.cpsrpID(), peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}
	in := draftInput()
	if a, err = app.db.SubmitApplication(ctx, a.ID, a.Version, &in); err != nil {
		t.Fatal(err)
	}
	rc := app.client().login("rev@example.org")
	res := rc.post(fmt.Sprintf("/review/applications/%d/decide", a.ID),
		url.Values{"decision": {"approve"}, "version": {strconv.Itoa(a.Version)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.Text("#decision-error"); !strings.Contains(msg, "80 hours of approved training") {
		t.Errorf("error next to the decision = %q, want the missing training named", msg)
	}
	got, _ := app.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != peerboard.AppSubmitted || got.Version != a.Version {
		t.Errorf("after refused approval: %s v%d, want submitted v%d", got.Status, got.Version, a.Version)
	}
	if n := app.count(`SELECT count(*) FROM exam_authorizations`); n != 0 {
		t.Errorf("%d exam authorizations, want none", n)
	}
}
