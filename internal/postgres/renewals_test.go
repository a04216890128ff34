package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// Deterministic audit draws: 0 is below any positive percent, 50 is not
// below the default 10.
var (
	rnAudited    = func() *bytes.Reader { return bytes.NewReader([]byte{0, 0}) }
	rnNotAudited = func() *bytes.Reader { return bytes.NewReader([]byte{0, 50}) }
	rnBothSigned = map[peerboard.AttestationKind]bool{peerboard.AttestCodeOfEthics: true, peerboard.AttestReleaseOfInformation: true}
)

// rnPDF is a minimal file SniffUpload accepts as a PDF.
var rnPDF = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func rnDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// rnFixture is a database with a movable clock and helpers that insert
// holders, credentials and CE with SQL.
type rnFixture struct {
	t     *testing.T
	db    *postgres.DB
	now   time.Time
	seq   int64
	orgID int64
}

func newRenewalFixture(t *testing.T, today string) *rnFixture {
	t.Helper()
	f := &rnFixture{t: t, db: pgtest.New(t), now: rnDay(today).Add(10 * time.Hour)}
	f.db.Now = func() time.Time { return f.now }
	var err error
	if f.orgID, err = f.db.EnsureDemoOrganization(context.Background(), "CE Provider", rnDay(today)); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *rnFixture) setToday(s string) { f.now = rnDay(s).Add(10 * time.Hour) }

// rnHolder is an applicant-role user holding one CPSRP credential.
type rnHolder struct {
	user   *peerboard.User
	ctx    context.Context
	credID int64
	number string
}

func (f *rnFixture) user(role peerboard.Role, email string) (*peerboard.User, context.Context) {
	f.t.Helper()
	u := &peerboard.User{Email: email, Name: "Name of " + email, Role: role, PasswordHash: "x"}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		f.t.Fatalf("create %s: %v", email, err)
	}
	return u, peerboard.NewContextWithUser(context.Background(), u)
}

// holder stores a holder with a credential of status expiring on expires.
func (f *rnFixture) holder(email, status, expires string) rnHolder {
	f.t.Helper()
	u, ctx := f.user(peerboard.RoleApplicant, email)
	f.seq++
	h := rnHolder{user: u, ctx: ctx, number: peerboard.FormatCredentialNumber("CPSRP", f.seq)}
	err := f.db.Pool.QueryRow(context.Background(), `INSERT INTO credentials (number, user_id, credential_type_id, status,
		first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, $3, 'Holder', $4, $5::date - interval '2 years', $5 FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, h.number, u.ID, status, email, rnDay(expires)).Scan(&h.credID)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// ce logs an activity for h; verified ones are posted by the fixture's organization.
func (f *rnFixture) ce(h rnHolder, title, date string, hours float64, cat peerboard.CECategory, src peerboard.CESource) int64 {
	f.t.Helper()
	var org *int64
	if src == peerboard.CEVerified {
		org = &f.orgID
	}
	var id int64
	err := f.db.Pool.QueryRow(context.Background(), `INSERT INTO ce_activities (person_email, user_id, title, provider,
		activity_date, hours, category, source, organization_id) VALUES ($1, $2, $3, 'Provider', $4, $5, $6, $7, $8) RETURNING id`,
		h.user.Email, h.user.ID, title, rnDay(date), hours, cat, src, org).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// fullCE logs 20 hours for h in the cycle ending 2027-01-10: 3 self-reported
// ethics, 5 self-reported core and 12 verified. It returns the self-reported ids.
func (f *rnFixture) fullCE(h rnHolder) []int64 {
	f.t.Helper()
	a := f.ce(h, "Ethics in peer work", "2026-03-01", 3, peerboard.CEEthics, peerboard.CESelfReported)
	b := f.ce(h, "Recovery planning", "2026-04-01", 5, peerboard.CECoreCompetencies, peerboard.CESelfReported)
	f.ce(h, "Verified workshop", "2025-09-01", 12, peerboard.CECoreCompetencies, peerboard.CEVerified)
	return []int64{a, b}
}

func (f *rnFixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func rnWantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := peerboard.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func TestSubmitRenewalRefusals(t *testing.T) {
	tests := []struct {
		name    string
		today   string
		status  string
		ce      bool
		signed  map[peerboard.AttestationKind]bool
		flagged bool
		want    string // substring of the message
		field   string // a field error expected
	}{
		{"before the window", "2026-10-11", "active", true, rnBothSigned, false, "Renewal opens on October 12, 2026", ""},
		{"past grace", "2027-04-11", "expired", true, rnBothSigned, false, "reinstatement", ""},
		{"flagged for reinstatement", "2027-02-01", "expired", true, rnBothSigned, true, "reinstatement", ""},
		{"surrendered", "2026-12-01", "surrendered", true, rnBothSigned, false, "cannot be renewed", ""},
		{"CE short", "2026-12-01", "active", false, rnBothSigned, false, "17 more hours needed", "ce"},
		{"attestation missing", "2026-12-01", "active", true, map[peerboard.AttestationKind]bool{peerboard.AttestCodeOfEthics: true}, false, "sign", "attest_release_of_information"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRenewalFixture(t, tt.today)
			h := f.holder("h@example.org", tt.status, "2027-01-10")
			if tt.ce {
				f.fullCE(h)
			} else {
				f.ce(h, "Ethics only", "2026-03-01", 3, peerboard.CEEthics, peerboard.CESelfReported)
			}
			if tt.flagged {
				f.db.Pool.Exec(context.Background(), `UPDATE credentials SET reinstatement_required_at = now() WHERE id = $1`, h.credID)
			}
			_, err := f.db.SubmitRenewal(h.ctx, h.credID, tt.signed, rnAudited())
			rnWantCode(t, err, peerboard.EINVALID)
			if !strings.Contains(strings.ToLower(peerboard.ErrorMessage(err)), strings.ToLower(tt.want)) {
				t.Errorf("message %q, want it to contain %q", peerboard.ErrorMessage(err), tt.want)
			}
			if tt.field != "" && peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("fields %v, want %q", peerboard.ErrorFields(err), tt.field)
			}
			for _, table := range []string{"renewals", "renewal_attestations", "mail_messages", "river_job"} {
				if n := f.count(`SELECT count(*) FROM ` + table); n != 0 {
					t.Errorf("%s has %d rows after a refused submit", table, n)
				}
			}
		})
	}
}

func TestSubmitRenewalOtherHolderNotFound(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	other := f.holder("other@example.org", "active", "2027-01-10")
	f.fullCE(h)
	_, err := f.db.SubmitRenewal(other.ctx, h.credID, rnBothSigned, rnAudited())
	rnWantCode(t, err, peerboard.ENOTFOUND)
	_, err = f.db.RenewalOverview(other.ctx, h.credID)
	rnWantCode(t, err, peerboard.ENOTFOUND)
}

func TestSubmitRenewalNotAudited(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	f.fullCE(h)
	r, err := f.db.SubmitRenewal(h.ctx, h.credID, rnBothSigned, rnNotAudited())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != peerboard.RenewalSubmitted || r.AuditSelected || !r.CycleStart.Equal(rnDay("2025-01-10")) ||
		!r.CycleEnd.Equal(rnDay("2027-01-10")) || r.Version != 1 || r.InfoDeadline != nil {
		t.Errorf("renewal = %+v", r)
	}
	if len(r.Attestations) != 2 || r.Attestations[0].Kind != peerboard.AttestCodeOfEthics || r.Attestations[0].TextVersion == "" ||
		!r.Attestations[0].SignedAt.Equal(f.now) {
		t.Errorf("attestations = %+v", r.Attestations)
	}
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE audit_status <> ''`); n != 0 {
		t.Errorf("%d activities marked for audit, want none", n)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'renewal_received' AND to_address = 'h@example.org'`); n != 1 {
		t.Errorf("renewal_received mails = %d", n)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages`); n != 1 || f.count(`SELECT count(*) FROM river_job WHERE kind = 'send_mail'`) != 1 {
		t.Errorf("mails = %d, want one with its job", n)
	}
	trail, err := f.db.AuditTrail(context.Background(), "renewal", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != "renewal.submitted" || trail[1].Action != "renewal.audit_drawn" ||
		!strings.Contains(rnJSON(t, trail[1].After), `"selected":false`) {
		t.Errorf("trail = %+v", trail)
	}
}

func rnJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSubmitRenewalAudited(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	self := f.fullCE(h)
	old := f.ce(h, "Previous cycle", "2024-06-01", 2, peerboard.CEOther, peerboard.CESelfReported)
	r, err := f.db.SubmitRenewal(h.ctx, h.credID, rnBothSigned, rnAudited())
	if err != nil {
		t.Fatal(err)
	}
	if !r.AuditSelected || r.InfoDeadline == nil || !r.InfoDeadline.Equal(rnDay("2026-12-31")) {
		t.Errorf("renewal = %+v, want audited with deadline 2026-12-31", r)
	}
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE audit_status = 'pending' AND id = ANY($1)`, self); n != 2 {
		t.Errorf("%d self-reported activities pending, want 2", n)
	}
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE audit_status = 'pending'`); n != 2 {
		t.Errorf("%d pending in all, want 2 (verified and out-of-cycle ones stay out): old id %d", n, old)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind IN ('renewal_received', 'audit_selected')`); n != 2 {
		t.Errorf("mails = %d, want received and audit selected", n)
	}
	if n := f.count(`SELECT count(*) FROM river_job WHERE kind = 'send_mail'`); n != 2 {
		t.Errorf("mail jobs = %d, want 2", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'renewal.audit_drawn' AND entity_id = $1
		AND (after->>'selected')::boolean AND (after->>'audit_percent')::int = 10`, r.ID); n != 1 {
		t.Errorf("audit_drawn events = %d", n)
	}
}

func TestSubmitRenewalTwiceMakesOne(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	f.fullCE(h)
	if _, err := f.db.SubmitRenewal(h.ctx, h.credID, rnBothSigned, rnNotAudited()); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.SubmitRenewal(h.ctx, h.credID, rnBothSigned, rnNotAudited())
	rnWantCode(t, err, peerboard.ECONFLICT)
	if !strings.Contains(peerboard.ErrorMessage(err), "already submitted") {
		t.Errorf("message %q", peerboard.ErrorMessage(err))
	}

	// A double click: two submits at once for another holder.
	h2 := f.holder("h2@example.org", "active", "2027-01-10")
	f.fullCE(h2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.db.SubmitRenewal(h2.ctx, h2.credID, rnBothSigned, rnNotAudited()) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch peerboard.ErrorCode(err) {
		case "":
			ok++
		case peerboard.ECONFLICT:
		default:
			t.Errorf("concurrent submit: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d submits succeeded, want 1 (%v)", ok, errs)
	}
	if n := f.count(`SELECT count(*) FROM renewals`); n != 2 {
		t.Errorf("renewals = %d, want one per holder", n)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages`); n != 2 {
		t.Errorf("mails = %d, want one per renewal", n)
	}
}

// submitted renews h (full CE logged) with the given draw.
func (f *rnFixture) submitted(h rnHolder, audited bool) (*peerboard.Renewal, []int64) {
	f.t.Helper()
	self := f.fullCE(h)
	rnd := rnNotAudited()
	if audited {
		rnd = rnAudited()
	}
	r, err := f.db.SubmitRenewal(h.ctx, h.credID, rnBothSigned, rnd)
	if err != nil {
		f.t.Fatal(err)
	}
	return r, self
}

func TestUploadProof(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	other := f.holder("other@example.org", "active", "2027-01-10")
	r, self := f.submitted(h, true)
	verified := f.count(`SELECT id FROM ce_activities WHERE source = 'verified' AND user_id = $1`, h.user.ID)
	outside := f.ce(h, "Before the cycle", "2024-12-01", 1, peerboard.CEOther, peerboard.CESelfReported)
	othersCE := f.ce(other, "Other's CE", "2026-03-01", 1, peerboard.CEOther, peerboard.CESelfReported)

	file, err := f.db.UploadProof(h.ctx, r.ID, self[0], "certificate.PDF", rnPDF)
	if err != nil {
		t.Fatal(err)
	}
	if file.ContentType != peerboard.TypePDF || file.OwnerID != h.user.ID || file.Filename != "certificate.pdf" {
		t.Errorf("file = %+v", file)
	}
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE id = $1 AND proof_file_id::text = $2 AND audit_status = 'pending'`, self[0], file.ID); n != 1 {
		t.Error("proof not linked")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'renewal.proof_uploaded' AND entity_id = $1`, r.ID); n != 1 {
		t.Errorf("proof audit events = %d", n)
	}

	for _, tt := range []struct {
		name string
		ctx  context.Context
		ce   int64
		data []byte
		code string
	}{
		{"another holder's renewal", other.ctx, self[1], rnPDF, peerboard.ENOTFOUND},
		{"another holder's CE", h.ctx, othersCE, rnPDF, peerboard.ENOTFOUND},
		{"CE outside the cycle", h.ctx, outside, rnPDF, peerboard.ENOTFOUND},
		{"verified CE", h.ctx, int64(verified), rnPDF, peerboard.EINVALID},
		{"HTML named .pdf", h.ctx, self[1], []byte("<html><script>alert(1)</script></html>"), peerboard.EINVALID},
		{"empty file", h.ctx, self[1], nil, peerboard.EINVALID},
		{"too big", h.ctx, self[1], append(append([]byte{}, rnPDF...), make([]byte, peerboard.MaxUploadBytes)...), peerboard.ETOOLARGE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count(`SELECT count(*) FROM stored_files`)
			_, err := f.db.UploadProof(tt.ctx, r.ID, tt.ce, "x.pdf", tt.data)
			rnWantCode(t, err, tt.code)
			if n := f.count(`SELECT count(*) FROM stored_files`); n != before {
				t.Errorf("stored files %d → %d", before, n)
			}
		})
	}

	// A renewal that was not audited needs no proof.
	h3 := f.holder("h3@example.org", "active", "2027-01-10")
	r3, self3 := f.submitted(h3, false)
	_, err = f.db.UploadProof(h3.ctx, r3.ID, self3[0], "x.pdf", rnPDF)
	rnWantCode(t, err, peerboard.EINVALID)
}

func TestAuditReviewAndApproval(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	r, self := f.submitted(h, true)
	for _, id := range self {
		if _, err := f.db.UploadProof(h.ctx, r.ID, id, "proof.pdf", rnPDF); err != nil {
			t.Fatal(err)
		}
	}
	// Each upload moved the renewal on: a decision from the older page is stale.
	_, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionApprove, "", nil)
	rnWantCode(t, err, peerboard.ECONFLICT)
	r, _ = f.db.RenewalByID(rctx, r.ID)
	// Approving before every audited item is ruled on is refused.
	_, err = f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionApprove, "", nil)
	rnWantCode(t, err, peerboard.EINVALID)
	r, _ = f.db.RenewalByID(rctx, r.ID) // the refusal rolled back: still submitted
	if r.Status != peerboard.RenewalSubmitted {
		t.Fatalf("status %s after a refused approval", r.Status)
	}

	// A rejection needs a note; the ethics item is rejected, the other accepted.
	_, err = f.db.ReviewRenewalItem(rctx, r.ID, self[0], r.Version, false, " ")
	rnWantCode(t, err, peerboard.EINVALID)
	if r, err = f.db.ReviewRenewalItem(rctx, r.ID, self[0], r.Version, false, "The certificate is for another person"); err != nil {
		t.Fatal(err)
	}
	if r.Status != peerboard.RenewalUnderReview {
		t.Errorf("status %s after the first ruling, want under review", r.Status)
	}
	// A ruling on a stale page is refused.
	_, err = f.db.ReviewRenewalItem(rctx, r.ID, self[1], r.Version-1, true, "")
	rnWantCode(t, err, peerboard.ECONFLICT)
	if r, err = f.db.ReviewRenewalItem(rctx, r.ID, self[1], r.Version, true, ""); err != nil {
		t.Fatal(err)
	}
	d, err := f.db.RenewalDetail(rctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Progress.Met || d.Progress.Counted != 17 || d.Unruled() != 0 {
		t.Errorf("progress %+v, unruled %d: the rejected 3 ethics hours must not count", d.Progress, d.Unruled())
	}
	// Short after the rejection: approval refused; ask for more.
	_, err = f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionApprove, "", nil)
	rnWantCode(t, err, peerboard.EINVALID)
	deadline := rnDay("2026-12-20")
	out, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionRequestInfo, "Please log 3 hours of ethics", &deadline)
	if err != nil {
		t.Fatal(err)
	}
	r = out.Renewal
	if r.Status != peerboard.RenewalNeedsInformation || r.InfoDeadline == nil || !r.InfoDeadline.Equal(deadline) || r.BoardMessage == "" {
		t.Fatalf("after request: %+v", r)
	}
	// The holder logs more ethics CE and answers; the new item joins the audit.
	extra := f.ce(h, "Ethics refresher", "2026-11-20", 3, peerboard.CEEthics, peerboard.CESelfReported)
	if r, err = f.db.RespondToRenewal(h.ctx, r.ID, r.Version, "Logged the refresher"); err != nil {
		t.Fatal(err)
	}
	if r.Status != peerboard.RenewalResubmitted {
		t.Errorf("status %s after answer", r.Status)
	}
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE id = $1 AND audit_status = 'pending'`, extra); n != 1 {
		t.Error("the new self-reported item did not join the audit")
	}
	if _, err := f.db.UploadProof(h.ctx, r.ID, extra, "refresher.pdf", rnPDF); err != nil {
		t.Fatal(err)
	}
	r, _ = f.db.RenewalByID(rctx, r.ID)
	if r, err = f.db.ReviewRenewalItem(rctx, r.ID, extra, r.Version, true, "Looks right"); err != nil {
		t.Fatal(err)
	}
	credBefore := f.count(`SELECT version FROM credentials WHERE id = $1`, h.credID)
	out, err = f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionApprove, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Renewal.Status != peerboard.RenewalApproved || out.Renewal.DecidedAt == nil {
		t.Errorf("renewal %+v", out.Renewal)
	}
	// Approved on 2026-12-01 for an expiry of 2027-01-10: one cycle from the old expiry.
	c := out.Credential
	if !c.ExpiresOn.Equal(rnDay("2029-01-10")) || c.Status != peerboard.CredActive || c.Version != credBefore+1 {
		t.Errorf("credential = %+v, want active until 2029-01-10, version %d", c, credBefore+1)
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND expires_on = '2029-01-10' AND updated_at > now() - interval '1 minute'`, h.credID); n != 1 {
		t.Error("credential row not updated")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'credential.renewed' AND entity_id = $1`, h.credID); n != 1 {
		t.Error("no credential.renewed event")
	}
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'renewal_decision' AND subject LIKE '%approved%'`); n != 1 {
		t.Error("no approval mail")
	}
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'renewal_info_requested'`); n != 1 {
		t.Error("no request mail")
	}
	// Decided: nothing more changes.
	_, err = f.db.DecideRenewal(rctx, r.ID, out.Renewal.Version, peerboard.DecisionDeny, "late", nil)
	rnWantCode(t, err, peerboard.EINVALID)
	_, err = f.db.UploadProof(h.ctx, r.ID, extra, "again.pdf", rnPDF)
	rnWantCode(t, err, peerboard.EINVALID)
}

func TestRespondAfterDeadlineRefused(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	r, _ := f.submitted(h, false)
	out, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionRequestInfo, "Which provider?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Renewal.InfoDeadline.Equal(rnDay("2026-12-31")) {
		t.Errorf("default deadline %v", out.Renewal.InfoDeadline)
	}
	other := f.holder("other@example.org", "active", "2027-01-10")
	_, err = f.db.RespondToRenewal(other.ctx, r.ID, out.Renewal.Version, "mine")
	rnWantCode(t, err, peerboard.ENOTFOUND)
	f.setToday("2027-01-01")
	_, err = f.db.RespondToRenewal(h.ctx, r.ID, out.Renewal.Version, "too late")
	rnWantCode(t, err, peerboard.EINVALID)
	// A past or far deadline is refused.
	past := rnDay("2026-12-31")
	r2h := f.holder("h2@example.org", "active", "2027-03-10")
	r2, _ := f.submitted(r2h, false)
	_, err = f.db.DecideRenewal(rctx, r2.ID, r2.Version, peerboard.DecisionRequestInfo, "x", &past)
	rnWantCode(t, err, peerboard.EINVALID)
}

func TestDenyAndOwnRenewal(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	r, _ := f.submitted(h, false)
	_, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionDeny, "  ", nil)
	rnWantCode(t, err, peerboard.EINVALID)
	out, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionDeny, "CE certificates could not be verified", nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Renewal.Status != peerboard.RenewalDenied || out.Renewal.BoardMessage != "CE certificates could not be verified" {
		t.Errorf("renewal %+v", out.Renewal)
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND expires_on = '2027-01-10' AND version = 1`, h.credID); n != 1 {
		t.Error("a denial changed the credential")
	}
	// The mail says a decision was made; the reasons stay in the portal.
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'renewal_decision' AND body LIKE '%did not approve%'
		AND body NOT LIKE '%could not be verified%'`); n != 1 {
		t.Error("want one denial mail that does not carry the reviewer's text")
	}

	// A reviewer who holds a credential cannot decide its renewal.
	revHolder, revCtx := f.user(peerboard.RoleReviewer, "rev-holder@example.org")
	f.seq++
	var credID int64
	f.db.Pool.QueryRow(context.Background(), `INSERT INTO credentials (number, user_id, credential_type_id, status, first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, 'active', 'R', 'H', '2025-01-10', '2027-01-10' FROM credential_types WHERE code = 'CPSRP' RETURNING id`,
		peerboard.FormatCredentialNumber("CPSRP", f.seq), revHolder.ID).Scan(&credID)
	var rid int64
	f.db.Pool.QueryRow(context.Background(), `INSERT INTO renewals (credential_id, holder_id, cycle_start, cycle_end)
		VALUES ($1, $2, '2025-01-10', '2027-01-10') RETURNING id`, credID, revHolder.ID).Scan(&rid)
	_, err = f.db.DecideRenewal(revCtx, rid, 1, peerboard.DecisionApprove, "", nil)
	rnWantCode(t, err, peerboard.EFORBIDDEN)
}

func TestLateRenewalInGrace(t *testing.T) {
	f := newRenewalFixture(t, "2027-02-15")
	h := f.holder("h@example.org", "expired", "2027-01-10")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	r, _ := f.submitted(h, false)
	// Grace ends while the board reviews; the daily job flags the credential.
	f.setToday("2027-04-20")
	if _, err := f.db.RunDaily(context.Background(), f.db.Today()); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND reinstatement_required_at IS NOT NULL`, h.credID); n != 1 {
		t.Fatal("expected the daily job to flag the credential")
	}
	out, err := f.db.DecideRenewal(rctx, r.ID, r.Version, peerboard.DecisionApprove, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credential
	if c.Status != peerboard.CredActive || !c.ExpiresOn.Equal(rnDay("2029-01-10")) || c.ReinstatementRequired {
		t.Errorf("credential %+v, want active until 2029-01-10 and no reinstatement flag", c)
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND status = 'active' AND reinstatement_required_at IS NULL`, h.credID); n != 1 {
		t.Error("credential row not reactivated")
	}
	pub, err := f.db.PublicCredentialByNumber(context.Background(), h.number)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Status != "active" || pub.ExpiresOn != "2029-01-10" {
		t.Errorf("public record %+v", pub)
	}
}

func TestConcurrentRenewalDecisions(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	_, r1 := f.user(peerboard.RoleReviewer, "rev1@example.org")
	_, r2 := f.user(peerboard.RoleAdmin, "rev2@example.org")
	r, _ := f.submitted(h, false)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = f.db.DecideRenewal(r1, r.ID, r.Version, peerboard.DecisionApprove, "", nil) })
	wg.Go(func() { _, errs[1] = f.db.DecideRenewal(r2, r.ID, r.Version, peerboard.DecisionDeny, "No", nil) })
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch peerboard.ErrorCode(err) {
		case "":
			wins++
		case peerboard.ECONFLICT:
		default:
			t.Errorf("decide: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d decisions won, want exactly 1: %v", wins, errs)
	}
	final, _ := f.db.RenewalByID(context.Background(), r.ID)
	wantExpiry := "2027-01-10"
	if final.Status == peerboard.RenewalApproved {
		wantExpiry = "2029-01-10"
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND expires_on = $2`, h.credID, rnDay(wantExpiry)); n != 1 {
		t.Errorf("credential expiry not %s after %s", wantExpiry, final.Status)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'renewal_decision'`); n != 1 {
		t.Errorf("decision mails = %d, want 1", n)
	}
}

func TestRenewalQueue(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	var ids []int64
	for i := range 5 {
		f.now = rnDay("2026-12-01").Add(time.Duration(10-i) * time.Minute) // later ids submitted earlier
		h := f.holder(fmt.Sprintf("h%d@example.org", i), "active", "2027-01-10")
		r, _ := f.submitted(h, i == 2)
		ids = append([]int64{r.ID}, ids...)
	}
	// The oldest is decided and leaves the queue.
	oldest, _ := f.db.RenewalByID(rctx, ids[0])
	if _, err := f.db.DecideRenewal(rctx, oldest.ID, oldest.Version, peerboard.DecisionDeny, "No", nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p1, err := f.db.RenewalQueue(ctx, postgres.RenewalQueueFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Items) != 2 || p1.Items[0].ID != ids[1] || p1.Items[1].ID != ids[2] || p1.Next == nil || p1.Prev != nil {
		t.Fatalf("page 1 = %+v", p1)
	}
	if p1.Items[1].Kind() != "audit" || p1.Items[0].Kind() != "renewal" || p1.Items[0].CredentialNumber == "" {
		t.Errorf("items %+v", p1.Items)
	}
	p2, err := f.db.RenewalQueue(ctx, postgres.RenewalQueueFilter{After: p1.Next, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Items) != 2 || p2.Items[0].ID != ids[3] || p2.Items[1].ID != ids[4] || p2.Next != nil || p2.Prev == nil {
		t.Fatalf("page 2 = %+v", p2)
	}
	back, err := f.db.RenewalQueue(ctx, postgres.RenewalQueueFilter{Before: p2.Prev, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Items) != 2 || back.Items[0].ID != ids[1] || back.Prev != nil || back.Next == nil {
		t.Fatalf("back = %+v", back)
	}
	plan, err := f.db.ExplainRenewalQueue(ctx, postgres.RenewalQueueFilter{After: p1.Next})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "renewals_queue_idx") {
		t.Errorf("plan does not read renewals_queue_idx:\n%s", plan)
	}
}

// Rulings are for self-reported CE of an audited renewal only: a reviewer
// cannot strike a provider's verified post, nor audit an unaudited renewal.
func TestItemRulingsOnlyForAuditedSelfReported(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")

	plain := f.holder("plain@example.org", "active", "2027-01-10")
	r, self := f.submitted(plain, false)
	_, err := f.db.ReviewRenewalItem(rctx, r.ID, self[0], r.Version, false, "Looks odd")
	rnWantCode(t, err, peerboard.EINVALID)

	audited := f.holder("audited@example.org", "active", "2027-01-12")
	r, _ = f.submitted(audited, true)
	var verified int64
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT id FROM ce_activities
		WHERE user_id = $1 AND source = 'verified' LIMIT 1`, audited.user.ID).Scan(&verified); err != nil {
		t.Fatalf("no verified CE in the fixture: %v", err)
	}
	_, err = f.db.ReviewRenewalItem(rctx, r.ID, verified, r.Version, false, "Not convinced")
	rnWantCode(t, err, peerboard.EINVALID)
	if n := f.count(`SELECT count(*) FROM ce_activities WHERE audit_status = 'rejected'`); n != 0 {
		t.Errorf("%d activities rejected, want none", n)
	}
}
