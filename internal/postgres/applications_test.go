package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// testNow is the clock of the application tests: after CPSRP's
// grandparenting window (applications until 2026-10-01) closed.
var testNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

// appFixture is a fresh database with the CPSRP type and a movable clock.
type appFixture struct {
	t     *testing.T
	db    *postgres.DB
	now   time.Time
	cpsrp *peerboard.CredentialType
}

func newAppFixture(t *testing.T) *appFixture {
	t.Helper()
	f := &appFixture{t: t, db: pgtest.New(t), now: testNow}
	f.db.Now = func() time.Time { return f.now }
	var err error
	if f.cpsrp, err = f.db.CredentialTypeByCode(context.Background(), "CPSRP"); err != nil {
		t.Fatal(err)
	}
	return f
}

// user stores an account and returns a context acting as it.
func (f *appFixture) user(role peerboard.Role, email string) (*peerboard.User, context.Context) {
	f.t.Helper()
	u := &peerboard.User{Email: email, Name: "Name of " + email, Role: role, PasswordHash: "x"}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		f.t.Fatalf("create %s: %v", email, err)
	}
	return u, peerboard.NewContextWithUser(context.Background(), u)
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// completeDraft is a draft that passes ValidateSubmission on either pathway.
func completeDraft() postgres.DraftInput {
	return postgres.DraftInput{
		Details: peerboard.ApplicantDetails{FirstName: "Ada", LastName: "Lovelace", Phone: "860-555-0100",
			AddressLine: "1 Main St", City: "Hartford", State: "ct", PostalCode: "06106", DateOfBirth: date(1980, 5, 1)},
		LivedExperience:          peerboard.LivedFamily,
		SupervisedHours:          320,
		PriorTrainingKind:        peerboard.PriorTrainingRSS,
		PriorTrainingCompletedOn: date(2025, 3, 1),
		PriorTrainingProvider:    "CT Recovery Academy",
		Signed: map[peerboard.AttestationKind]bool{peerboard.AttestCodeOfEthics: true,
			peerboard.AttestLivedExperience: true, peerboard.AttestReleaseOfInformation: true},
	}
}

// submitted creates and submits a complete application for the applicant in ctx.
func (f *appFixture) submitted(ctx context.Context, pathway peerboard.Pathway) *peerboard.Application {
	f.t.Helper()
	u := peerboard.UserFromContext(ctx)
	a, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, pathway)
	if err != nil {
		f.t.Fatalf("create: %v", err)
	}
	if pathway == peerboard.PathwayStandard {
		pgtest.Train(f.t, f.db, u.ID, u.Email)
	}
	in := completeDraft()
	a, err = f.db.SubmitApplication(ctx, a.ID, a.Version, &in)
	if err != nil {
		f.t.Fatalf("submit: %v", err)
	}
	return a
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := peerboard.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func TestCreateApplication(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")

	a, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != peerboard.AppDraft || a.ApplicantID != u.ID || a.Version != 1 || a.CredentialTypeCode != "CPSRP" {
		t.Errorf("created %+v, want a version-1 CPSRP draft of %d", a, u.ID)
	}
	if trail, _ := f.db.AuditTrail(ctx, "application", a.ID); len(trail) != 1 || trail[0].Action != "application.created" {
		t.Errorf("audit = %+v, want application.created", trail)
	}

	_, err = f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	wantCode(t, err, peerboard.ECONFLICT)

	// Grandparenting closed on 2026-10-01; the test clock is in November.
	other, octx := f.user(peerboard.RoleApplicant, "bob@example.org")
	_, err = f.db.CreateApplication(octx, other.ID, f.cpsrp.ID, peerboard.PathwayGrandparenting)
	if peerboard.ErrorFields(err)["pathway"] == "" {
		t.Errorf("closed grandparenting: %v, want a pathway field error", err)
	}
	f.now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	if _, err := f.db.CreateApplication(octx, other.ID, f.cpsrp.ID, peerboard.PathwayGrandparenting); err != nil {
		t.Errorf("open grandparenting: %v", err)
	}
	_, err = f.db.CreateApplication(octx, other.ID, 999999, peerboard.PathwayStandard)
	if peerboard.ErrorFields(err)["credential_type_id"] == "" {
		t.Errorf("unknown type: %v, want a credential_type_id field error", err)
	}

	// A withdrawn application no longer blocks a new one.
	if _, err := f.db.WithdrawApplication(ctx, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard); err != nil {
		t.Errorf("after withdrawal: %v", err)
	}
	list, err := f.db.ApplicationsOfUser(ctx, u.ID, 10)
	if err != nil || len(list) != 2 || list[0].Status != peerboard.AppDraft || list[1].Status != peerboard.AppWithdrawn {
		t.Errorf("ApplicationsOfUser = %+v, %v; want the new draft then the withdrawn one", list, err)
	}
}

func TestSaveDraft(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}

	// Partial input is fine on a draft.
	partial := postgres.DraftInput{Details: peerboard.ApplicantDetails{FirstName: "  Ada ", State: "ct"},
		Signed: map[peerboard.AttestationKind]bool{peerboard.AttestCodeOfEthics: true}}
	a, err = f.db.SaveDraft(ctx, a.ID, 1, partial)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 || a.Details.FirstName != "Ada" || a.Details.State != "CT" {
		t.Errorf("saved %+v, want version 2 with normalized details", a)
	}
	if len(a.Attestations) != 1 || a.Attestations[0].Kind != peerboard.AttestCodeOfEthics ||
		a.Attestations[0].TextVersion != "2026-01" || !a.Attestations[0].SignedAt.Equal(testNow) {
		t.Errorf("attestations = %+v, want code of ethics v2026-01 signed now", a.Attestations)
	}

	// Signing the others keeps the first signature's time; unticking removes it.
	f.now = f.now.Add(time.Hour)
	in := completeDraft()
	if a, err = f.db.SaveDraft(ctx, a.ID, 2, in); err != nil {
		t.Fatal(err)
	}
	signedAt := map[peerboard.AttestationKind]time.Time{}
	for _, at := range a.Attestations {
		signedAt[at.Kind] = at.SignedAt
	}
	if len(signedAt) != 3 || !signedAt[peerboard.AttestCodeOfEthics].Equal(testNow) || !signedAt[peerboard.AttestLivedExperience].Equal(f.now) {
		t.Errorf("signatures = %v, want three, the first kept at %v", signedAt, testNow)
	}
	in.Signed = map[peerboard.AttestationKind]bool{peerboard.AttestLivedExperience: true}
	if a, err = f.db.SaveDraft(ctx, a.ID, 3, in); err != nil {
		t.Fatal(err)
	}
	if len(a.Attestations) != 1 || a.Attestations[0].Kind != peerboard.AttestLivedExperience {
		t.Errorf("after unticking: %+v, want only lived experience", a.Attestations)
	}

	// A stale version changes nothing.
	stale := completeDraft()
	stale.Details.FirstName = "Mallory"
	_, err = f.db.SaveDraft(ctx, a.ID, 3, stale)
	wantCode(t, err, peerboard.ECONFLICT)
	if got, _ := f.db.ApplicationByID(ctx, a.ID); got.Details.FirstName != "Ada" || got.Version != 4 {
		t.Errorf("after stale save: %+v, want unchanged at version 4", got)
	}

	// Values the database refuses are a validation error, not a 500.
	bad := completeDraft()
	bad.SupervisedHours = -5
	_, err = f.db.SaveDraft(ctx, a.ID, 4, bad)
	wantCode(t, err, peerboard.EINVALID)

	// After submission a draft save is refused.
	if _, err := f.db.SubmitApplication(ctx, a.ID, 4, ptr(completeDraft())); err != nil {
		t.Fatal(err)
	}
	_, err = f.db.SaveDraft(ctx, a.ID, 5, completeDraft())
	wantCode(t, err, peerboard.ECONFLICT)
}

func ptr[T any](v T) *T { return &v }

func TestSubmitApplication(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}

	// Incomplete: field errors, and the answers sent with it are not stored.
	incomplete := completeDraft()
	incomplete.Details.Phone = ""
	delete(incomplete.Signed, peerboard.AttestReleaseOfInformation)
	_, err = f.db.SubmitApplication(ctx, a.ID, 1, &incomplete)
	fields := peerboard.ErrorFields(err)
	if fields["phone"] == "" || fields[peerboard.AttestReleaseOfInformation.FieldKey()] == "" {
		t.Errorf("incomplete submit: %v %v, want phone and release_of_information errors", err, fields)
	}
	if got, _ := f.db.ApplicationByID(ctx, a.ID); got.Status != peerboard.AppDraft || got.Version != 1 || got.Details.FirstName != "" {
		t.Errorf("after refused submit: %+v, want the untouched version-1 draft", got)
	}

	// Complete: submitted with its time, one audit event per change.
	a, err = f.db.SubmitApplication(ctx, a.ID, 1, ptr(completeDraft()))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != peerboard.AppSubmitted || a.SubmittedAt == nil || !a.SubmittedAt.Equal(testNow) || a.Version != 3 {
		t.Errorf("submitted %+v, want submitted at %v, version 3", a, testNow)
	}
	tl, err := f.db.Timeline(ctx, a.ID)
	if err != nil || len(tl) != 3 || tl[2].Action != "application.submitted" || tl[2].Status != peerboard.AppSubmitted {
		t.Errorf("timeline = %+v, %v; want created, saved, submitted", tl, err)
	}

	// The same form sent again (a double click) sees the new version.
	_, err = f.db.SubmitApplication(ctx, a.ID, 1, ptr(completeDraft()))
	wantCode(t, err, peerboard.ECONFLICT)
	// Without answers, a submit of the current version of a submitted case is refused by the rules.
	_, err = f.db.SubmitApplication(ctx, a.ID, 3, nil)
	wantCode(t, err, peerboard.EINVALID)
}

func TestSubmitDoubleClickConcurrently(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.db.SubmitApplication(ctx, a.ID, 1, ptr(completeDraft())) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors = %v, want exactly one success", errs)
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, peerboard.ECONFLICT)
		}
	}
	trail, _ := f.db.AuditTrail(ctx, "application", a.ID)
	n := 0
	for _, e := range trail {
		if e.Action == "application.submitted" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d submitted events, want 1", n)
	}
}

func TestRespondAndWithdraw(t *testing.T) {
	f := newAppFixture(t)
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	_, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a := f.submitted(ctx, peerboard.PathwayStandard)

	// Answering before the board asked is refused by the rules.
	_, err := f.db.RespondToRequest(ctx, a.ID, a.Version, "Here you go", nil)
	wantCode(t, err, peerboard.EINVALID)

	out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionRequestInfo, "Send your supervisor's letter")
	if err != nil {
		t.Fatal(err)
	}
	a = out.Application

	tests := []struct {
		name, message string
		hours         *int
		field         string
	}{
		{"empty message", "  ", nil, "message"},
		{"negative hours", "Fixed", ptr(-1), "supervised_hours"},
		{"too many hours", "Fixed", ptr(100001), "supervised_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.db.RespondToRequest(ctx, a.ID, a.Version, tt.message, tt.hours)
			if peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("got %v, want a %s field error", err, tt.field)
			}
		})
	}
	_, err = f.db.RespondToRequest(ctx, a.ID, a.Version-1, "Stale", nil)
	wantCode(t, err, peerboard.ECONFLICT)

	a, err = f.db.RespondToRequest(ctx, a.ID, a.Version, "Letter attached; hours corrected.", ptr(350))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != peerboard.AppResubmitted || a.SupervisedHours != 350 || a.InfoDeadline != nil {
		t.Errorf("after answer: %+v, want resubmitted with 350 hours and no deadline", a)
	}
	tl, _ := f.db.Timeline(ctx, a.ID)
	if last := tl[len(tl)-1]; last.Message != "Letter attached; hours corrected." || last.ByStaff {
		t.Errorf("last timeline entry = %+v, want the applicant's answer", last)
	}

	_, err = f.db.WithdrawApplication(ctx, a.ID, a.Version-1)
	wantCode(t, err, peerboard.ECONFLICT)
	if a, err = f.db.WithdrawApplication(ctx, a.ID, a.Version); err != nil || a.Status != peerboard.AppWithdrawn {
		t.Fatalf("withdraw: %+v, %v", a, err)
	}
	_, err = f.db.WithdrawApplication(ctx, a.ID, a.Version)
	wantCode(t, err, peerboard.EINVALID)
}

// manyApplicants creates n applicants, for tests that need many cases.
func (f *appFixture) manyApplicants(n int) []context.Context {
	f.t.Helper()
	out := make([]context.Context, n)
	for i := range out {
		_, out[i] = f.user(peerboard.RoleApplicant, fmt.Sprintf("applicant%02d@example.org", i))
	}
	return out
}

func TestApplicationAnswerAfterDeadlineRefused(t *testing.T) {
	f := newAppFixture(t)
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	_, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a := f.submitted(ctx, peerboard.PathwayStandard)
	out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionRequestInfo, "Send your supervisor's letter")
	if err != nil {
		t.Fatal(err)
	}
	f.now = out.Application.InfoDeadline.AddDate(0, 0, 1).Add(12 * time.Hour)
	_, err = f.db.RespondToRequest(ctx, a.ID, out.Application.Version, "Sorry I am late", nil)
	wantCode(t, err, peerboard.EINVALID)
	if got, _ := f.db.ApplicationByID(ctx, a.ID); got.Status != peerboard.AppNeedsInformation || got.Version != out.Application.Version {
		t.Errorf("after a late answer: %s v%d, want unchanged", got.Status, got.Version)
	}
}

func TestHolderCannotApplyAgainForTheSameCredential(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "holder@example.org")
	if _, err := f.db.Pool.Exec(ctx, `INSERT INTO credentials (number, user_id, credential_type_id, first_name, last_name, issued_on, expires_on)
		VALUES ($1, $2, $3, 'Ada', 'L', '2026-01-01', '2028-01-01')`, peerboard.FormatCredentialNumber("CPSRP", 7), u.ID, f.cpsrp.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.CreateApplication(ctx, u.ID, f.cpsrp.ID, peerboard.PathwayStandard)
	if msg := peerboard.ErrorFields(err)["credential_type_id"]; !strings.Contains(msg, "already hold") {
		t.Fatalf("apply while holding: %v, want a field error saying the credential is already held", err)
	}
	var n int
	if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM applications`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d applications stored, want none", n)
	}
}
