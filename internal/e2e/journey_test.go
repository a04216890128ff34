package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// TestCredentialJourney walks issue 3's whole journey in headless Chromium,
// each person in their own browser: an applicant registers and applies, a
// trainer records the training, a reviewer approves, an admin imports a
// passing exam result, and an anonymous visitor verifies the credential.
// axe-core runs on every page each browser shows, error states included.
func TestCredentialJourney(t *testing.T) {
	start := time.Now()
	ctx := context.Background()
	site := newSite(t)
	today := site.DB.Today()

	orgID, err := site.DB.EnsureDemoOrganization(ctx, "Hartford Peer Academy", today)
	if err != nil {
		t.Fatal(err)
	}
	site.createUser(peerboard.RoleTrainer, "trainer@example.org", "Tess Trainer", &orgID)
	site.createUser(peerboard.RoleReviewer, "reviewer@example.org", "Rita Reviewer", nil)
	site.createUser(peerboard.RoleAdmin, "admin@example.org", "Adam Admin", nil)

	applicant, trainer, reviewer := site.newBrowser(), site.newBrowser(), site.newBrowser()
	admin, visitor := site.newBrowser(), site.newBrowser()

	// (a) The applicant registers and starts a CPSRP application.
	applicant.open("/register")
	applicant.fill("#name", "Grace Hopper")
	applicant.fill("#email", "grace@example.org")
	applicant.fill("#password", password)
	applicant.fill("#confirm", password)
	applicant.press(`form[action="/register"] button[type="submit"]`, http.StatusOK)
	applicant.wantPath("/dashboard")
	grace, err := site.DB.UserByEmail(ctx, "grace@example.org")
	if err != nil {
		t.Fatalf("account not stored: %v", err)
	}

	// Until Grace confirms her address, the dashboard asks her to; she
	// opens the link from her mail and confirms, so the training recorded
	// for her address counts.
	if got := applicant.text("#confirm-email"); !strings.Contains(got, "grace@example.org") {
		t.Errorf("confirmation banner = %q", got)
	}
	applicant.open(confirmLink(t, site, "grace@example.org"))
	applicant.press(`main form button[type="submit"]`, http.StatusOK)
	if got := applicant.text("h1"); got != "Your email address is confirmed" {
		t.Errorf("after confirming: h1 = %q", got)
	}
	applicant.press(`main a[href="/dashboard"]`, http.StatusOK)
	if n := applicant.count("#confirm-email"); n != 0 {
		t.Error("the dashboard still asks to confirm the address")
	}

	applicant.press(`main a[href="/applications/new"]`, http.StatusOK)
	applicant.wantPath("/applications/new")
	if got := applicant.selectedLabel("#credential_type_id"); !strings.Contains(got, "CPSRP") {
		t.Errorf("credential preselected = %q, want CPSRP", got)
	}
	if !applicant.checked("pathway-standard") {
		t.Error("the standard pathway is not chosen by default")
	}
	applicant.press(`form[action="/applications/new"] button[type="submit"]`, http.StatusOK)
	appID := idFromPath(t, applicant.path(), "/applications/")
	appPath := "/applications/" + strconv.FormatInt(appID, 10)
	if flash := applicant.flash(); !strings.Contains(flash, "draft application is ready") {
		t.Errorf("flash after creating the draft = %q", flash)
	}
	applicant.checkSkipLink(appPath)

	// Everything but the phone number and one attestation, then submit:
	// refused, with the errors beside their fields and the input kept.
	applicant.fill("#first_name", "Grace")
	applicant.fill("#last_name", "Hopper")
	applicant.setValue("#date_of_birth", "1980-05-01")
	applicant.fill("#address_line", "12 Main Street")
	applicant.fill("#city", "Hartford")
	applicant.fill("#state", "CT")
	applicant.fill("#postal_code", "06103")
	applicant.tick("lived_experience-self")
	applicant.fill("#supervised_hours", "300")
	applicant.tick("attest_code_of_ethics")
	applicant.tick("attest_lived_experience")
	applicant.press(`button[formaction="`+appPath+`/submit"]`, http.StatusUnprocessableEntity)
	applicant.waitVisible("#phone-error")
	applicant.waitVisible("#attest_release_of_information-error")
	for _, field := range []string{"phone", "attest_release_of_information"} {
		if applicant.count(`.usa-alert--error a[href="#`+field+`"]`) != 1 {
			t.Errorf("the error summary does not link to #%s", field)
		}
	}
	if got := applicant.value("#first_name"); got != "Grace" {
		t.Errorf("first name after the refusal = %q", got)
	}
	if got := applicant.value("#supervised_hours"); got != "300" {
		t.Errorf("supervised hours after the refusal = %q", got)
	}
	if !applicant.checked("attest_code_of_ethics") || !applicant.checked("lived_experience-self") {
		t.Error("the ticked attestation or the lived-experience choice was lost")
	}
	if a, err := site.DB.ApplicationByID(ctx, appID); err != nil || a.Status != peerboard.AppDraft || a.Details.FirstName != "" {
		t.Fatalf("a refused submission changed the draft: %+v, %v", a, err)
	}

	// Complete it, save a draft, then submit.
	applicant.fill("#phone", "860-555-0100")
	applicant.tick("attest_release_of_information")
	applicant.press(`button[name="action"][value="save"]`, http.StatusOK)
	applicant.wantPath(appPath)
	if flash := applicant.flash(); !strings.Contains(flash, "draft was saved") {
		t.Errorf("flash after saving = %q", flash)
	}
	if got := applicant.value("#phone"); got != "860-555-0100" {
		t.Errorf("saved phone = %q", got)
	}
	if got := applicant.value("#date_of_birth"); got != "1980-05-01" {
		t.Errorf("saved date of birth = %q", got)
	}
	applicant.press(`button[formaction="`+appPath+`/submit"]`, http.StatusOK)
	applicant.wantPath(appPath)
	if flash := applicant.flash(); !strings.Contains(flash, "submitted to the board") {
		t.Errorf("flash after submitting = %q", flash)
	}
	if got := applicant.text("#status"); !strings.EqualFold(got, "Submitted") {
		t.Errorf("status after submitting = %q", got)
	}
	if a, err := site.DB.ApplicationByID(ctx, appID); err != nil || a.Status != peerboard.AppSubmitted ||
		a.SupervisedHours != 300 || len(a.Attestations) != 3 {
		t.Fatalf("stored application = %+v, %v; want submitted, 300 hours, 3 attestations", a, err)
	}

	// (b) The trainer adds an 80-hour course covering all twelve
	// competencies with the ethics module, then records Grace's completion.
	trainer.signIn("trainer@example.org")
	trainer.wantPath("/trainer")
	if got := trainer.text("#approval-status"); !strings.Contains(got, "Approved") {
		t.Errorf("organization approval = %q", got)
	}
	trainer.press(`main a.usa-button[href="/trainer/courses/new"]`, http.StatusOK)
	trainer.fill("#code", "PEER-80")
	trainer.fill("#title", "Peer Recovery Foundations")
	trainer.fill("#total_hours", "80")
	trainer.tick("ethics_module")
	for _, c := range peerboard.AllCompetencies() {
		trainer.fill("#"+peerboard.HoursField(c), "6")
	}
	trainer.press(`form[action="/trainer/courses/new"] button[type="submit"]`, http.StatusOK)
	trainer.wantPath("/trainer")
	if flash := trainer.flash(); !strings.Contains(flash, "Course PEER-80 added") {
		t.Errorf("flash after adding the course = %q", flash)
	}

	trainer.press(`main a.usa-button[href="/trainer/completions/new"]`, http.StatusOK)
	trainer.fill("#person_name", "Grace Hopper")
	trainer.fill("#person_email", "grace@example.org")
	trainer.choose("#course_id", "PEER-80")
	// No date first: refused, the rest kept.
	trainer.press(`form[action="/trainer/completions/new"] button[type="submit"]`, http.StatusUnprocessableEntity)
	trainer.waitVisible("#completed_on-error")
	if got := trainer.value("#person_email"); got != "grace@example.org" {
		t.Errorf("email after the refusal = %q", got)
	}
	trainer.setValue("#completed_on", today.AddDate(0, -1, 0).Format(time.DateOnly))
	trainer.press(`form[action="/trainer/completions/new"] button[type="submit"]`, http.StatusOK)
	trainer.wantPath("/trainer")
	if flash := trainer.flash(); !strings.Contains(flash, "Recorded: Grace Hopper completed PEER-80") {
		t.Errorf("flash after recording = %q", flash)
	}
	if got := trainer.cellOfRow("grace@example.org", -1); got != "Linked" {
		t.Errorf("completion account column = %q, want Linked to Grace's account", got)
	}

	// (c) The reviewer finds the case, sees every requirement met, starts
	// the review and approves; a refused decision comes first.
	reviewer.signIn("reviewer@example.org")
	reviewer.wantPath("/review")
	row := fmt.Sprintf(`#queue tr[data-id="%d"]`, appID)
	if got := reviewer.text(row + ` td[data-label="Applicant"]`); got != "Grace Hopper" {
		t.Errorf("queue row applicant = %q", got)
	}
	reviewer.press(row+" a", http.StatusOK)
	casePath := fmt.Sprintf("/review/applications/%d", appID)
	reviewer.wantPath(casePath)
	wantChecklistMet(t, reviewer)
	reviewer.press(`form[action="`+casePath+`/start"] button[type="submit"]`, http.StatusOK)
	if flash := reviewer.flash(); !strings.Contains(flash, "started the review") {
		t.Errorf("flash after starting = %q", flash)
	}
	if got := reviewer.text("#status"); !strings.EqualFold(got, "Under review") {
		t.Errorf("status after starting = %q", got)
	}
	reviewer.checkSkipLink(casePath)
	reviewer.tick("decision-deny")
	reviewer.press(`form[action="`+casePath+`/decide"] button[type="submit"]`, http.StatusUnprocessableEntity)
	reviewer.waitVisible("#reason-error")
	reviewer.tick("decision-approve")
	reviewer.press(`form[action="`+casePath+`/decide"] button[type="submit"]`, http.StatusOK)
	reviewer.wantPath(casePath)
	flash := reviewer.flash()
	if !strings.Contains(flash, "Decision recorded: Approved") || !strings.Contains(flash, "Exam authorization") {
		t.Errorf("flash after approving = %q", flash)
	}
	if got := reviewer.text("#status"); !strings.EqualFold(got, "Approved") {
		t.Errorf("status after approving = %q", got)
	}

	// The applicant's dashboard shows the exam authorization.
	applicant.open("/dashboard")
	candidateID := applicant.text(`#exams tbody th[data-label="Candidate id"]`)
	exams, err := site.DB.ExamAuthorizationsOfUser(ctx, grace.ID)
	if err != nil || len(exams) != 1 || exams[0].CandidateID != candidateID || candidateID == "" {
		t.Fatalf("dashboard candidate id %q; stored authorizations %+v, %v", candidateID, exams, err)
	}
	if got := applicant.text(`main tbody tr:has(a[href="` + appPath + `"]) td[data-label="Status"]`); !strings.EqualFold(got, "Approved") {
		t.Errorf("dashboard application status = %q", got)
	}

	// (d) The admin imports the vendor's results file with a pass.
	admin.signIn("admin@example.org")
	admin.wantPath("/review")
	admin.open("/admin/exams")
	csvPath := filepath.Join(t.TempDir(), "vendor-results.csv")
	csv := "candidate_id,exam_date,exam_form,scaled_score,result\n" +
		candidateID + "," + today.Format(time.DateOnly) + ",A,310,pass\n"
	writeFile(t, csvPath, csv)
	admin.attach("#file", csvPath)
	admin.press(`form[action="/admin/exams"] button[type="submit"]`, http.StatusOK)
	if got := admin.text("#import-summary"); !strings.Contains(got, "1 new result") {
		t.Errorf("import summary = %q", got)
	}
	if got := admin.text("#issued tbody"); !strings.Contains(got, candidateID) {
		t.Errorf("issued table = %q, want %s", got, candidateID)
	}

	// The applicant now holds an Active credential.
	applicant.open("/dashboard")
	number := applicant.text(`#credentials tbody th[data-label="Number"]`)
	if !regexp.MustCompile(`^CPSRP-\d{6}-[0-9A-Z]$`).MatchString(number) {
		t.Errorf("credential number on the dashboard = %q", number)
	}
	if got := applicant.text(`#credentials tbody td[data-label="Status"]`); got != "Active" {
		t.Errorf("credential status on the dashboard = %q", got)
	}
	creds, err := site.DB.CredentialsOfUser(ctx, grace.ID)
	if err != nil || len(creds) != 1 || creds[0].Number != number || creds[0].Status != peerboard.CredActive {
		t.Fatalf("stored credentials = %+v, %v; want one active %s", creds, err, number)
	}

	// (e) An anonymous visitor verifies it: by number, by name, by
	// permalink, and through the API.
	visitor.checkSkipLink("/verify")
	visitor.open("/verify")
	visitor.fill("#number", strings.ToLower(number))
	visitor.press(`form:has(#number) button[type="submit"]`, http.StatusOK)
	if got := visitor.text("#result-heading"); got != "Grace Hopper" {
		t.Errorf("verify by number: heading %q", got)
	}
	if got := visitor.text("main .usa-alert--success"); got != "Status: Active" {
		t.Errorf("verify by number: status %q", got)
	}
	visitor.fill("#first", "grace")
	visitor.fill("#last", "HOPPER")
	visitor.press(`form:has(#first) button[type="submit"]`, http.StatusOK)
	match := `main tbody tr:has(a[href="/verify/` + number + `"])`
	if got := visitor.text(match + ` td[data-label="Status"]`); got != "Active" {
		t.Errorf("verify by name: status %q", got)
	}
	visitor.press(match+` a[href="/verify/`+number+`"]`, http.StatusOK)
	visitor.wantPath("/verify/" + number)
	if got := visitor.text("h1"); got != "Grace Hopper" {
		t.Errorf("permalink heading = %q", got)
	}
	if got := visitor.text("main .usa-alert--success"); got != "Status: Active" {
		t.Errorf("permalink status = %q", got)
	}

	res, err := http.Get(site.URL + "/api/v1/credentials/" + number)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var api struct {
		Number string `json:"number"`
		Status string `json:"status"`
		Name   string `json:"name"`
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("API: status %d, type %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if err := json.Unmarshal(body, &api); err != nil || api.Number != number || api.Status != "active" || api.Name != "Grace Hopper" {
		t.Errorf("API answered %s (%v)", body, err)
	}

	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}

// wantChecklistMet fails unless every row of the case's requirement checklist
// is met, the exam aside (taken after approval).
func wantChecklistMet(t *testing.T, b *browser) {
	t.Helper()
	b.waitVisible("#checklist")
	if b.count("#checklist-warning") != 0 {
		t.Errorf("the case warns of missing requirements: %q", b.text("#checklist-warning"))
	}
	type row struct {
		Key, State, Detail string
	}
	rows := eval[[]row](b, `[...document.querySelectorAll("#checklist tbody tr")].map(tr => ({
		Key: tr.dataset.key, State: tr.querySelector(".usa-tag").textContent.trim(),
		Detail: tr.querySelector("td:last-child").textContent.trim()}))`)
	want := map[string]bool{"training_hours": false, "competencies": false, "ethics_module": false, "supervised_hours": false}
	for _, r := range rows {
		switch {
		case r.Key == "exam":
			if r.State != "After approval" {
				t.Errorf("checklist exam = %q (%s), want After approval", r.State, r.Detail)
			}
		case r.State != "Met":
			t.Errorf("checklist %s = %q (%s), want Met", r.Key, r.State, r.Detail)
		}
		if _, ok := want[r.Key]; ok {
			want[r.Key] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("the checklist has no %s row; rows: %+v", k, rows)
		}
	}
	if met := b.count("#checklist tbody .usa-tag.bg-success-darker"); met != len(rows)-1 {
		t.Errorf("%d requirements marked met, want %d", met, len(rows)-1)
	}
}

// confirmLink reads the confirmation link from the newest "Confirm your
// email address" message to email, as the mailbox would show it, and
// returns its path on the site.
func confirmLink(t *testing.T, site *site, email string) string {
	t.Helper()
	msgs, err := site.DB.MailMessages(context.Background(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To != email || m.Kind != peerboard.MailConfirmEmail {
			continue
		}
		if link := regexp.MustCompile(`https?://\S+/confirm-email/\S+`).FindString(m.Body); link != "" {
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("link %q: %v", link, err)
			}
			return u.Path
		}
		t.Fatalf("no link in the confirmation mail: %q", m.Body)
	}
	t.Fatalf("no confirmation mail to %s", email)
	return ""
}

// open loads path as if typed into the address bar, wants 200 and runs
// axe-core on the page.
func (b *browser) open(path string) {
	b.t.Helper()
	if status := b.visit(path); status != http.StatusOK {
		b.t.Fatalf("%s: status %d; page says: %.300q", path, status, b.mainText())
	}
	b.checkA11y()
}

// press clicks the button or link sel, wants the page it leads to (after
// redirects) to answer want, and runs axe-core on that page.
func (b *browser) press(sel string, want int) {
	b.t.Helper()
	from := b.path()
	if status := b.submit(sel); status != want {
		b.t.Fatalf("%s on %s: status %d, want %d; now at %s, page says: %.400q", sel, from, status, want, b.path(), b.mainText())
	}
	b.checkA11y()
}

// signIn signs in on the login form with the password every test account has.
func (b *browser) signIn(email string) {
	b.t.Helper()
	b.open("/login")
	b.fill("#email", email)
	b.fill("#password", password)
	b.press(`form[action="/login"] button[type="submit"]`, http.StatusOK)
}

// flash is the one-time message the layout shows after a redirect.
func (b *browser) flash() string {
	b.t.Helper()
	return b.text(`main > .usa-alert--success[role="status"]`)
}

// setValue sets an input's value as a date picker or a select would, and
// fires the events a person's change would: typing into a date input
// depends on the browser's locale.
func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	b.run("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	eval[bool](b, `(() => { const e = document.querySelector(`+jsString(sel)+`);
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
	if got := b.value(sel); got != value {
		b.t.Fatalf("%s holds %q after setting %q", sel, got, value)
	}
}

// choose picks the option of the select sel whose label starts with label.
func (b *browser) choose(sel, label string) {
	b.t.Helper()
	v := eval[string](b, `(() => { const o = [...document.querySelector(`+jsString(sel)+`).options]
		.find(o => o.textContent.trim().startsWith(`+jsString(label)+`)); return o ? o.value : "\x00"; })()`)
	if v == "\x00" {
		b.t.Fatalf("%s on %s has no option %q", sel, b.path(), label)
	}
	b.setValue(sel, v)
}

// selectedLabel is the text of the chosen option of the select sel.
func (b *browser) selectedLabel(sel string) string {
	b.t.Helper()
	return eval[string](b, `(() => { const s = document.querySelector(`+jsString(sel)+`); return s.options[s.selectedIndex]?.textContent.trim() ?? ""; })()`)
}

// tick checks the checkbox or radio button with id by clicking its label:
// USWDS hides the input itself, as a person would see it.
func (b *browser) tick(id string) {
	b.t.Helper()
	b.click(`label[for="` + id + `"]`)
	if !b.checked(id) {
		b.t.Fatalf("#%s on %s is not checked after clicking its label", id, b.path())
	}
}

// checked reports whether the checkbox or radio button with id is checked.
func (b *browser) checked(id string) bool {
	b.t.Helper()
	return eval[bool](b, `!!document.getElementById(`+jsString(id)+`)?.checked`)
}

// attach chooses file for the file input sel, as the file picker would.
func (b *browser) attach(sel, file string) {
	b.t.Helper()
	b.run("attach "+file+" to "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file}))
	if n := eval[int](b, `document.querySelector(`+jsString(sel)+`).files.length`); n != 1 {
		b.t.Fatalf("%s holds %d files after attaching %s", sel, n, file)
	}
}

// cellOfRow returns the text of cell i (from the end when negative) of the
// first table row in <main> that mentions needle, or "" when none does.
func (b *browser) cellOfRow(needle string, i int) string {
	b.t.Helper()
	return eval[string](b, `(() => { const tr = [...document.querySelectorAll("main tbody tr")]
		.find(tr => tr.textContent.includes(`+jsString(needle)+`)); if (!tr) return "";
		const cells = [...tr.cells]; const c = cells.at(`+strconv.Itoa(i)+`); return c ? c.textContent.trim() : ""; })()`)
}

// idFromPath reads the numeric id after prefix in path.
func idFromPath(t *testing.T, path, prefix string) int64 {
	t.Helper()
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		t.Fatalf("at %q, want a page under %s", path, prefix)
	}
	rest, _, _ = strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "/")
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		t.Fatalf("no id in %q", path)
	}
	return id
}
