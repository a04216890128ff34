package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// TestRenewalJourney walks issue 5's journey in headless Chromium: a
// trainer posts CE for a holder (one by form, one by roster), the holder
// logs more, renews, is audited (the audit rate is 100%), uploads proof; a
// reviewer accepts it and approves, and the expiry moves one cycle from the
// old expiry. Then, with the clock past another holder's expiry and the
// daily job run, the public page shows Expired. axe-core runs on every page.
func TestRenewalJourney(t *testing.T) {
	start := time.Now()
	ctx := context.Background()
	site := newSite(t)
	today := site.DB.Today()

	// Every renewal is audited, so the journey always takes the audit path.
	if _, err := site.DB.Pool.Exec(ctx, `UPDATE credential_types SET audit_percent = 100 WHERE code = 'CPSRP'`); err != nil {
		t.Fatal(err)
	}
	orgID, err := site.DB.EnsureDemoOrganization(ctx, "Hartford Peer Academy", today)
	if err != nil {
		t.Fatal(err)
	}
	site.createUser(peerboard.RoleTrainer, "trainer@example.org", "Tess Trainer", &orgID)
	site.createUser(peerboard.RoleReviewer, "reviewer@example.org", "Rita Reviewer", nil)
	site.createUser(peerboard.RoleAdmin, "admin@example.org", "Adam Admin", nil)

	// Hal's credential expires in 53 days: inside the 90-day renewal window.
	oldExpiry := today.AddDate(0, 0, 53)
	hal := site.createUser(peerboard.RoleApplicant, "hal@example.org", "Hal Holder", nil)
	halCred, halNumber := insertCredential(t, site, hal, 900001, "Hal", "Holder", oldExpiry)
	// Ivy's expires in 8 days and she does not renew.
	ivy := site.createUser(peerboard.RoleApplicant, "ivy@example.org", "Ivy Lapse", nil)
	ivyExpiry := today.AddDate(0, 0, 8)
	_, ivyNumber := insertCredential(t, site, ivy, 900002, "Ivy", "Lapse", ivyExpiry)

	trainer, holder, reviewer := site.newBrowser(), site.newBrowser(), site.newBrowser()
	admin, visitor := site.newBrowser(), site.newBrowser()
	dir := t.TempDir()
	ceDate := func(daysAgo int) string { return today.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }

	// (a) The trainer posts 12 hours of core competencies by form (after a
	// refused first try) and 3 hours of ethics by roster.
	trainer.signIn("trainer@example.org")
	trainer.wantPath("/trainer")
	trainer.press(`main a.usa-button[href="/trainer/ce"]`, http.StatusOK)
	trainer.press(`main a.usa-button[href="/trainer/ce/new"]`, http.StatusOK)
	trainer.fill("#name", "Hal Holder")
	trainer.fill("#email", "hal@example.org")
	trainer.fill("#title", "Core competencies refresher")
	trainer.setValue("#date", ceDate(60))
	trainer.fill("#hours", "30")
	trainer.choose("#category", "Core competencies")
	trainer.press(`form[action="/trainer/ce/new"] button[type="submit"]`, http.StatusUnprocessableEntity)
	trainer.waitVisible("#hours-error")
	if trainer.count(`.usa-alert--error a[href="#hours"]`) != 1 {
		t.Error("the error summary does not link to the hours")
	}
	if got := trainer.value("#title"); got != "Core competencies refresher" {
		t.Errorf("title after the refusal = %q", got)
	}
	trainer.fill("#hours", "12")
	trainer.press(`form[action="/trainer/ce/new"] button[type="submit"]`, http.StatusOK)
	trainer.wantPath("/trainer/ce")
	if flash := trainer.flash(); !strings.Contains(flash, "Core competencies refresher") || !strings.Contains(flash, "hal@example.org") {
		t.Errorf("flash after posting = %q", flash)
	}
	if got := trainer.cellOfRow("Core competencies refresher", -1); got != "Linked" {
		t.Errorf("posted CE account column = %q, want Linked", got)
	}

	roster := filepath.Join(dir, "ethics-roster.csv")
	writeFile(t, roster, "email,name,title,date,hours,category\n"+
		"hal@example.org,Hal Holder,Peer ethics in practice,"+ceDate(45)+",3,ethics\n")
	trainer.attach("#roster", roster)
	trainer.press(`form[action="/trainer/ce/roster"] button[type="submit"]`, http.StatusOK)
	trainer.wantPath("/trainer/ce")
	if flash := trainer.flash(); !strings.Contains(flash, "1 rows, 1 new") {
		t.Errorf("flash after the roster = %q", flash)
	}
	if n := countRows(t, site, `SELECT count(*) FROM ce_activities WHERE user_id = $1 AND source = 'verified'`, hal.ID); n != 2 {
		t.Fatalf("%d verified CE records for Hal, want 2", n)
	}

	// (b) Hal sees 15 of 20 hours, logs 5 more himself, and the
	// requirement is met on /ce and on the dashboard.
	holder.signIn("hal@example.org")
	holder.wantPath("/dashboard")
	if got := holder.text(".pb-ce-summary"); !strings.Contains(got, "15 of 20 hours") {
		t.Errorf("dashboard CE before logging = %q", got)
	}
	holder.open("/ce")
	if holder.count(".pb-ce-met") != 0 {
		t.Error("/ce says the requirement is met with 15 of 20 hours")
	}
	holder.press(`main a.usa-button[href="/ce/new"]`, http.StatusOK)
	holder.fill("#title", "Recovery storytelling workshop")
	holder.fill("#provider", "CT Recovery Network")
	holder.setValue("#date", ceDate(20))
	holder.fill("#hours", "5")
	holder.choose("#category", "Professional development")
	holder.press(`form[action="/ce/new"] button[type="submit"]`, http.StatusOK)
	holder.wantPath("/ce")
	if flash := holder.flash(); !strings.Contains(flash, "Recovery storytelling workshop") {
		t.Errorf("flash after logging = %q", flash)
	}
	holder.waitVisible(".pb-ce-met")
	if got := holder.text(".pb-ce-total"); !strings.Contains(got, "20 of 20 hours") || !strings.Contains(got, "3 of 3 in ethics") {
		t.Errorf("/ce progress = %q", got)
	}
	holder.open("/dashboard")
	if got := holder.text(".pb-ce-summary"); !strings.Contains(got, "20 of 20 hours") || !strings.Contains(got, "(met)") {
		t.Errorf("dashboard CE after logging = %q", got)
	}
	var selfID int64
	if err := site.DB.Pool.QueryRow(ctx, `SELECT id FROM ce_activities WHERE user_id = $1 AND source = 'self_reported'`, hal.ID).Scan(&selfID); err != nil {
		t.Fatalf("the self-reported activity was not stored: %v", err)
	}

	// (c) Hal renews: refused without the attestations, then submitted and
	// told it was picked for a CE audit.
	renewPath := fmt.Sprintf("/credentials/%d/renew", halCred)
	holder.press(`#credentials a[href="`+renewPath+`"]`, http.StatusOK)
	holder.wantPath(renewPath)
	if got := holder.text("#window"); !strings.Contains(got, "Renewal is open") {
		t.Errorf("renewal window = %q", got)
	}
	if got := holder.text("#progress-heading"); got != "Requirement met" {
		t.Errorf("renewal page CE = %q", got)
	}
	holder.press(`form[action="`+renewPath+`"] button[type="submit"]`, http.StatusUnprocessableEntity)
	for _, k := range peerboard.RenewalAttestations() {
		holder.waitVisible("#attest_" + string(k) + "-error")
	}
	if n := countRows(t, site, `SELECT count(*) FROM renewals`); n != 0 {
		t.Fatalf("an unsigned renewal stored %d renewals", n)
	}
	for _, k := range peerboard.RenewalAttestations() {
		holder.tick("attest_" + string(k))
	}
	holder.press(`form[action="`+renewPath+`"] button[type="submit"]`, http.StatusOK)
	renewalID := idFromPath(t, holder.path(), "/renewals/")
	renewalPath := fmt.Sprintf("/renewals/%d", renewalID)
	if flash := holder.flash(); !strings.Contains(flash, "selected at random for a CE audit") {
		t.Errorf("flash after renewing = %q", flash)
	}
	var audited bool
	if err := site.DB.Pool.QueryRow(ctx, `SELECT audit_selected FROM renewals WHERE id = $1`, renewalID).Scan(&audited); err != nil || !audited {
		t.Fatalf("renewal %d audit_selected = %v, %v", renewalID, audited, err)
	}
	item := fmt.Sprintf(`#audit-items span[data-item="%d"]`, selfID)
	if got := holder.text(item); !strings.EqualFold(got, "Proof needed") {
		t.Errorf("audit item before the upload = %q", got)
	}
	holder.checkSkipLink(renewalPath)

	// A file named .pdf that is not one is refused (the USWDS widget already
	// turns away other extensions); the real PDF certificate is taken.
	proofField := fmt.Sprintf("#proof-%d", selfID)
	proofForm := fmt.Sprintf(`form[action="%s/items/%d/proof"] button[type="submit"]`, renewalPath, selfID)
	notes := filepath.Join(dir, "notes.pdf")
	writeFile(t, notes, "I attended the whole workshop.\n")
	holder.attach(proofField, notes)
	holder.press(proofForm, http.StatusUnprocessableEntity)
	holder.waitVisible(proofField + "-error")
	if got := holder.text(proofField + "-error"); !strings.Contains(got, "PDF, PNG or JPEG") {
		t.Errorf("error for a fake PDF = %q", got)
	}
	certificate := filepath.Join(dir, "certificate.pdf")
	writeFile(t, certificate, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	holder.attach(proofField, certificate)
	holder.press(proofForm, http.StatusOK)
	holder.wantPath(renewalPath)
	if flash := holder.flash(); !strings.Contains(flash, "proof was uploaded") {
		t.Errorf("flash after the upload = %q", flash)
	}
	if got := holder.text(item); !strings.EqualFold(got, "Proof sent, awaiting review") {
		t.Errorf("audit item after the upload = %q", got)
	}

	// (d) The reviewer finds the renewal in the case queue beside the
	// applications; approving before ruling on the item is refused.
	reviewer.signIn("reviewer@example.org")
	reviewer.wantPath("/review")
	staffPath := fmt.Sprintf("/review/renewals/%d", renewalID)
	queueRow := `#renewal-queue tr:has(a[href="` + staffPath + `"])`
	if got := reviewer.text(queueRow + ` td[data-label="Kind"]`); got != "Renewal with CE audit" {
		t.Errorf("queue kind = %q", got)
	}
	if got := reviewer.text(queueRow + ` td[data-label="Credential"]`); got != halNumber {
		t.Errorf("queue credential = %q, want %s", got, halNumber)
	}
	reviewer.press(queueRow+` a[href="`+staffPath+`"]`, http.StatusOK)
	reviewer.wantPath(staffPath)
	reviewer.checkSkipLink(staffPath)
	reviewer.tick("decision-approve")
	reviewer.press(`form[action="`+staffPath+`/decide"] button[type="submit"]`, http.StatusUnprocessableEntity)
	if got := reviewer.text("main .usa-alert--error"); !strings.Contains(got, "Accept or reject each audited activity") {
		t.Errorf("approving before the ruling says %q", got)
	}
	reviewer.press(fmt.Sprintf(`#items li[data-item="%d"] button[value="accept"]`, selfID), http.StatusOK)
	reviewer.wantPath(staffPath)
	if flash := reviewer.flash(); !strings.Contains(flash, "Activity accepted") {
		t.Errorf("flash after accepting = %q", flash)
	}
	newExpiry := oldExpiry.AddDate(0, 24, 0)
	reviewer.tick("decision-approve")
	reviewer.press(`form[action="`+staffPath+`/decide"] button[type="submit"]`, http.StatusOK)
	reviewer.wantPath("/review/renewals")
	if flash := reviewer.flash(); !strings.Contains(flash, halNumber+" is valid until "+longDate(newExpiry)) {
		t.Errorf("flash after approving = %q, want valid until %s", flash, longDate(newExpiry))
	}

	// (e) The expiry moved one cycle from the old expiry, not from today.
	holder.open("/dashboard")
	if got := holder.text(`#credentials td[data-label="Expires"]`); !strings.Contains(got, longDate(newExpiry)) {
		t.Errorf("dashboard expiry = %q, want %s", got, longDate(newExpiry))
	}
	if got := holder.text(`#renewals td[data-label="Status"]`); !strings.Contains(got, "Approved") {
		t.Errorf("dashboard renewal status = %q", got)
	}
	var stored time.Time
	var status string
	if err := site.DB.Pool.QueryRow(ctx, `SELECT expires_on, status FROM credentials WHERE id = $1`, halCred).Scan(&stored, &status); err != nil {
		t.Fatal(err)
	}
	if !stored.Equal(newExpiry) || status != "active" {
		t.Errorf("stored credential: %s, expires %s; want active, %s", status, stored.Format(time.DateOnly), newExpiry.Format(time.DateOnly))
	}

	admin.signIn("admin@example.org")
	admin.press(`header a[href="/admin/mail"]`, http.StatusOK)
	for _, subject := range []string{
		"We received your renewal for " + halNumber,
		"Your renewal for " + halNumber + " was selected for a CE audit",
		"Your renewal for " + halNumber + " is approved",
	} {
		if got := admin.cellOfRow(subject, 1); got != "hal@example.org" {
			t.Errorf("/admin/mail: %q to %q, want one to hal@example.org", subject, got)
		}
	}
	admin.press(`main a[href^="/admin/mail/"]`, http.StatusOK) // the newest: the approval
	if got := admin.text("h1"); got != "Your renewal for "+halNumber+" is approved" {
		t.Errorf("newest message = %q", got)
	}
	if got := admin.text(".pb-mail-body"); !strings.Contains(got, "valid until "+newExpiry.Format(peerboard.DateLayout)) {
		t.Errorf("approval mail does not give the new expiry %s:\n%s", newExpiry.Format(time.DateOnly), got)
	}

	// (f) Past Ivy's expiry, the daily job marks her credential Expired and
	// the public record says so; Hal's renewed one stays Active.
	site.SetNow(ivyExpiry.AddDate(0, 0, 1).Add(15 * time.Hour))
	report, err := site.DB.RunDaily(ctx, site.DB.Today())
	if err != nil {
		t.Fatal(err)
	}
	if report.Expired != 1 {
		t.Errorf("daily run expired %d credentials, want 1 (Ivy's)", report.Expired)
	}
	visitor.open("/verify/" + ivyNumber)
	if got := visitor.text("h1"); got != "Ivy Lapse" {
		t.Errorf("Ivy's record heading = %q", got)
	}
	if got := visitor.text("main .usa-alert--error"); !strings.HasPrefix(got, "Status: Expired") {
		t.Errorf("Ivy's public status = %q, want Expired", got)
	}
	visitor.open("/verify/" + halNumber)
	if got := visitor.text("main .usa-alert--success"); got != "Status: Active" {
		t.Errorf("Hal's public status = %q, want Active", got)
	}
	if got := visitor.text("main table"); !strings.Contains(got, newExpiry.Format(peerboard.DateLayout)) {
		t.Errorf("Hal's public record does not show the new expiry %s: %q", newExpiry.Format(time.DateOnly), got)
	}

	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}

// insertCredential gives u an Active CPSRP credential numbered n that
// expires on expires, issued one cycle earlier; it returns its id and number.
func insertCredential(t *testing.T, s *site, u *peerboard.User, n int64, first, last string, expires time.Time) (int64, string) {
	t.Helper()
	number := peerboard.FormatCredentialNumber("CPSRP", n)
	var id int64
	err := s.DB.Pool.QueryRow(context.Background(), `
		INSERT INTO credentials (number, user_id, credential_type_id, status, first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, 'active', $3, $4, $5::date - interval '24 months', $5 FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, number, u.ID, first, last, expires).Scan(&id)
	if err != nil {
		t.Fatalf("insert credential %s: %v", number, err)
	}
	return id, number
}

// countRows runs a count query.
func countRows(t *testing.T, s *site, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// longDate is how the pages write a date.
func longDate(d time.Time) string { return d.Format("January 2, 2006") }
