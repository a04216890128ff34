package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// examNow is the clock of the exam tests.
var examNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

// examFixture is an approved standard applicant with an exam authorization,
// written with plain SQL so the test does not depend on the reviewer flow.
type examFixture struct {
	userID, appID, authID int64
	candidate             string
}

func newExamDB(t *testing.T) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	db.Now = func() time.Time { return examNow }
	return db
}

// authorize creates an applicant, an approved application and an
// authorization valid from..until.
func authorize(t *testing.T, db *postgres.DB, email, candidate string, from, until time.Time) examFixture {
	t.Helper()
	ctx := context.Background()
	u := &peerboard.User{Email: email, Name: "Person " + candidate, Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	f := examFixture{userID: u.ID, candidate: candidate}
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO applications (applicant_id, credential_type_id, pathway, status, first_name, last_name, lived_experience)
		SELECT $1, id, 'standard', 'approved', 'Ada', $2, 'family' FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, u.ID, candidate).Scan(&f.appID)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Pool.QueryRow(ctx, `
		INSERT INTO exam_authorizations (application_id, user_id, credential_type_id, candidate_id, valid_from, valid_until)
		SELECT $1, $2, credential_type_id, $3, $4, $5 FROM applications WHERE id = $1
		RETURNING id`, f.appID, u.ID, candidate, from, until).Scan(&f.authID)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func authState(t *testing.T, db *postgres.DB, id int64) (status string, attempts int) {
	t.Helper()
	if err := db.Pool.QueryRow(context.Background(), `SELECT status, attempts FROM exam_authorizations WHERE id = $1`, id).
		Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	return status, attempts
}

func count(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func csvOf(lines ...string) []byte {
	return []byte("candidate_id,exam_date,exam_form,scaled_score,result\n" + strings.Join(lines, "\n") + "\n")
}

var (
	windowFrom  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	windowUntil = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

func TestImportPassIssuesCredentialAndReimportChangesNothing(t *testing.T) {
	db := newExamDB(t)
	ctx := context.Background()
	pass := authorize(t, db, "pass@example.org", "CPSRP0000001", windowFrom, windowUntil)
	fail := authorize(t, db, "fail@example.org", "CPSRP0000002", windowFrom, windowUntil)
	file := csvOf("cpsrp0000001,2026-11-20,A,520,PASS", "CPSRP0000002,2026-11-20,A,310,fail")

	rep, err := db.ImportExamResults(ctx, "results.csv", file)
	if err != nil || rep.Rejected() {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if rep.Rows != 2 || rep.NewResults != 2 || len(rep.Issued) != 1 || rep.PreviousImportAt != nil {
		t.Fatalf("report = %+v; want 2 new rows, 1 issued", rep)
	}
	creds, err := db.CredentialsOfUser(ctx, pass.userID)
	if err != nil || len(creds) != 1 {
		t.Fatalf("credentials = %v, %v; want one", creds, err)
	}
	c := creds[0]
	if c.Status != peerboard.CredActive || !c.IssuedOn.Equal(postgres.DateOf(examNow)) || !c.FamilyModifier || c.LastName != "CPSRP0000001" {
		t.Errorf("credential = %+v", c)
	}
	if !strings.Contains(rep.Issued[0].Message, c.Number) {
		t.Errorf("issued note %q does not name %s", rep.Issued[0].Message, c.Number)
	}
	if st, n := authState(t, db, pass.authID); st != "used" || n != 1 {
		t.Errorf("passed authorization = %s/%d, want used/1", st, n)
	}
	if st, n := authState(t, db, fail.authID); st != "active" || n != 1 {
		t.Errorf("failed authorization = %s/%d, want active/1", st, n)
	}
	if got, _ := db.CredentialsOfUser(ctx, fail.userID); len(got) != 0 {
		t.Errorf("a fail issued %v", got)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'exam.results_imported' AND entity_type = 'exam_import' AND entity_id = $1`, rep.ImportID); n != 1 {
		t.Errorf("%d import audit events, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'credential.issued'`); n != 1 {
		t.Errorf("%d credential.issued events, want 1", n)
	}

	again, err := db.ImportExamResults(ctx, "results-copy.csv", file)
	if err != nil || again.Rejected() {
		t.Fatalf("re-import: %+v, %v", again, err)
	}
	if again.NewResults != 0 || again.AlreadyImported != 2 || again.PreviousImportAt == nil || len(again.Issued) != 0 {
		t.Errorf("re-import report = %+v; want nothing new and the earlier import named", again)
	}
	if st, n := authState(t, db, fail.authID); st != "active" || n != 1 {
		t.Errorf("after re-import: failed authorization = %s/%d, want active/1", st, n)
	}
	if n := count(t, db, `SELECT count(*) FROM exam_results`); n != 2 {
		t.Errorf("%d results stored, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM credentials`); n != 1 {
		t.Errorf("%d credentials, want 1", n)
	}

	list, err := db.ExamImports(ctx, 0, 1)
	if err != nil || len(list) != 2 || list[0].ID != again.ImportID || list[0].NewResults != 0 || list[0].ImportedByName != "System" {
		t.Fatalf("ExamImports page 1 = %+v, %v; want the newest first plus a look-ahead row", list, err)
	}
	list, err = db.ExamImports(ctx, list[0].ID, 1)
	if err != nil || len(list) != 1 || list[0].ID != rep.ImportID || list[0].NewResults != 2 {
		t.Errorf("ExamImports page 2 = %+v, %v", list, err)
	}
}

func TestImportBadRowImportsNothing(t *testing.T) {
	db := newExamDB(t)
	ctx := context.Background()
	x := authorize(t, db, "a@example.org", "CPSRP0000001", windowFrom, windowUntil)
	tests := []struct {
		name string
		file []byte
		line int
	}{
		{"malformed row", csvOf("CPSRP0000001,2026-11-20,A,520,pass", "CPSRP0000001,2026-11-21,A,abc,pass"), 3},
		{"unknown candidate", csvOf("CPSRP0000001,2026-11-20,A,520,pass", "CPSRP9999999,2026-11-20,A,520,pass"), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := db.ImportExamResults(ctx, "bad.csv", tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Rejected() || len(rep.Errors) != 1 || rep.Errors[0].Line != tt.line {
				t.Fatalf("errors = %+v; want one on line %d", rep.Errors, tt.line)
			}
			for table, n := range map[string]int{
				"exam_results": count(t, db, `SELECT count(*) FROM exam_results`),
				"exam_imports": count(t, db, `SELECT count(*) FROM exam_imports`),
				"credentials":  count(t, db, `SELECT count(*) FROM credentials`),
			} {
				if n != 0 {
					t.Errorf("%s has %d rows after a refused file", table, n)
				}
			}
			if st, n := authState(t, db, x.authID); st != "active" || n != 0 {
				t.Errorf("authorization = %s/%d, want untouched", st, n)
			}
		})
	}
}

func TestImportFailsExhaustAndNoShowForfeits(t *testing.T) {
	db := newExamDB(t)
	ctx := context.Background()
	failer := authorize(t, db, "f@example.org", "CPSRP0000001", windowFrom, windowUntil)
	absent := authorize(t, db, "n@example.org", "CPSRP0000002", windowFrom, windowUntil)

	// Two fails: below the default limit of three.
	rep, err := db.ImportExamResults(ctx, "1.csv", csvOf("CPSRP0000001,2026-03-01,A,300,fail", "CPSRP0000001,2026-05-01,B,310,fail"))
	if err != nil || rep.Rejected() {
		t.Fatalf("%+v %v", rep, err)
	}
	if st, n := authState(t, db, failer.authID); st != "active" || n != 2 {
		t.Errorf("after two fails = %s/%d, want active/2", st, n)
	}
	rep, err = db.ImportExamResults(ctx, "2.csv", csvOf("CPSRP0000001,2026-07-01,C,320,fail", "CPSRP0000002,2026-07-01,C,0,no_show"))
	if err != nil || rep.Rejected() {
		t.Fatalf("%+v %v", rep, err)
	}
	if st, n := authState(t, db, failer.authID); st != "exhausted" || n != 3 {
		t.Errorf("after the third fail = %s/%d, want exhausted/3", st, n)
	}
	if st, n := authState(t, db, absent.authID); st != "forfeited" || n != 1 {
		t.Errorf("after a no-show = %s/%d, want forfeited/1", st, n)
	}
	if len(rep.Exhausted) != 1 || len(rep.Forfeited) != 1 {
		t.Errorf("report = %+v; want one exhausted and one forfeited note", rep)
	}
	var outcome string
	if err := db.Pool.QueryRow(ctx, `SELECT outcome FROM exam_results WHERE candidate_id = 'CPSRP0000002'`).Scan(&outcome); err != nil || outcome != "no_show" {
		t.Errorf("no-show stored as %q (%v)", outcome, err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE entity_type = 'exam_authorization' AND action IN ('exam.authorization_exhausted', 'exam.authorization_forfeited')`); n != 2 {
		t.Errorf("%d authorization audit events, want 2", n)
	}

	// A later pass on an exhausted authorization is stored but does not count.
	rep, err = db.ImportExamResults(ctx, "3.csv", csvOf("CPSRP0000001,2026-09-01,D,600,pass"))
	if err != nil || rep.Rejected() || len(rep.Issued) != 0 || len(rep.NotCounted) != 1 {
		t.Fatalf("pass after exhaustion: %+v %v", rep, err)
	}
	if got, want := rep.NotCounted[0].Message, "Not counted: the authorization was already exhausted."; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	if n := count(t, db, `SELECT count(*) FROM credentials`); n != 0 {
		t.Errorf("%d credentials issued, want none", n)
	}
	if st, n := authState(t, db, failer.authID); st != "exhausted" || n != 3 {
		t.Errorf("after a pass on an exhausted authorization = %s/%d, want exhausted/3", st, n)
	}
}

func TestImportPassOutsideWindowDoesNotIssue(t *testing.T) {
	db := newExamDB(t)
	ctx := context.Background()
	expired := authorize(t, db, "late@example.org", "CPSRP0000001", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	early := authorize(t, db, "early@example.org", "CPSRP0000002", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), windowUntil)
	edge := authorize(t, db, "edge@example.org", "CPSRP0000003", windowFrom, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC))

	rep, err := db.ImportExamResults(ctx, "r.csv", csvOf(
		"CPSRP0000001,2026-01-02,A,700,pass", // the day after the authorization ended
		"CPSRP0000002,2026-05-31,A,700,pass", // the day before it started
		"CPSRP0000003,2026-03-31,A,700,pass", // its last day counts
	))
	if err != nil || rep.Rejected() {
		t.Fatalf("%+v %v", rep, err)
	}
	if len(rep.OutsideWindow) != 2 || len(rep.Issued) != 1 || rep.Issued[0].CandidateID != "CPSRP0000003" {
		t.Fatalf("report = %+v; want two passes outside the window and one issued", rep)
	}
	for _, f := range []examFixture{expired, early} {
		if got, _ := db.CredentialsOfUser(ctx, f.userID); len(got) != 0 {
			t.Errorf("%s: issued %v", f.candidate, got)
		}
		if st, n := authState(t, db, f.authID); st != "active" || n != 1 {
			t.Errorf("%s: authorization = %s/%d, want active/1 (the result is recorded)", f.candidate, st, n)
		}
	}
	if st, _ := authState(t, db, edge.authID); st != "used" {
		t.Errorf("edge authorization = %s, want used", st)
	}
	if n := count(t, db, `SELECT count(*) FROM exam_results`); n != 3 {
		t.Errorf("%d results stored, want 3", n)
	}
}

func TestImportRecordsTheAdmin(t *testing.T) {
	db := newExamDB(t)
	admin := &peerboard.User{Email: "admin@example.org", Name: "Board Admin", Role: peerboard.RoleAdmin, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	authorize(t, db, "p@example.org", "CPSRP0000001", windowFrom, windowUntil)
	ctx := peerboard.NewContextWithUser(context.Background(), admin)
	rep, err := db.ImportExamResults(ctx, "r.csv", csvOf("CPSRP0000001,2026-11-20,A,700,pass"))
	if err != nil || rep.Rejected() {
		t.Fatalf("%+v %v", rep, err)
	}
	list, err := db.ExamImports(ctx, 0, 10)
	if err != nil || len(list) != 1 || list[0].ImportedByName != "Board Admin" {
		t.Fatalf("imports = %+v, %v", list, err)
	}
	trail, err := db.AuditTrail(ctx, "exam_import", rep.ImportID)
	if err != nil || len(trail) != 1 || trail[0].ActorID == nil || *trail[0].ActorID != admin.ID {
		t.Errorf("audit trail = %+v, %v; want one event by the admin", trail, err)
	}
}

// importOK imports file and fails the test on an error or a refused file.
func importOK(t *testing.T, db *postgres.DB, name string, file []byte) *peerboard.ExamImportReport {
	t.Helper()
	rep, err := db.ImportExamResults(context.Background(), name, file)
	if err != nil || rep.Rejected() {
		t.Fatalf("import %s: %+v, %v", name, rep, err)
	}
	return rep
}

func TestImportRetakeInsideTheWaitDoesNotCount(t *testing.T) {
	db := newExamDB(t)
	// The default CPSRP wait is 30 days.
	passer := authorize(t, db, "p@example.org", "CPSRP0000001", windowFrom, windowUntil)
	failer := authorize(t, db, "f@example.org", "CPSRP0000002", windowFrom, windowUntil)
	absent := authorize(t, db, "n@example.org", "CPSRP0000003", windowFrom, windowUntil)
	importOK(t, db, "1.csv", csvOf(
		"CPSRP0000001,2026-03-01,A,300,fail",
		"CPSRP0000002,2026-03-01,A,300,fail",
		"CPSRP0000003,2026-03-01,A,300,fail"))

	rep := importOK(t, db, "2.csv", csvOf(
		"CPSRP0000001,2026-03-10,B,700,pass",   // nine days after the fail
		"CPSRP0000002,2026-03-30,B,310,fail",   // the wait's last day
		"CPSRP0000003,2026-03-01,B,0,no_show")) // the same day as the fail
	if rep.NewResults != 3 || len(rep.NotCounted) != 3 || len(rep.Issued) != 0 || len(rep.Forfeited) != 0 || len(rep.Exhausted) != 0 {
		t.Fatalf("report = %+v; want three new results, none counted", rep)
	}
	want := "Not counted: the retake on 2026-03-10 is within the 30-day wait after the failed attempt of 2026-03-01; a retake counts from 2026-03-31. No credential was issued."
	var got string
	for _, n := range rep.NotCounted {
		if n.Line == 2 && n.CandidateID == "CPSRP0000001" {
			got = n.Message
		}
	}
	if got != want {
		t.Errorf("notes = %+v; want line 2 with %q", rep.NotCounted, want)
	}
	for _, f := range []examFixture{passer, failer, absent} {
		if st, n := authState(t, db, f.authID); st != "active" || n != 1 {
			t.Errorf("%s: authorization = %s/%d, want active/1 (attempts unchanged)", f.candidate, st, n)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM credentials`); n != 0 {
		t.Errorf("%d credentials issued by a pass inside the wait, want none", n)
	}
	if n := count(t, db, `SELECT count(*) FROM exam_results`); n != 6 {
		t.Errorf("%d results stored, want 6 (results that do not count are kept)", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE entity_type = 'exam_authorization' AND action <> 'exam.authorized'`); n != 0 {
		t.Errorf("%d authorization audit events, want none: nothing changed state", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'exam.results_imported'`); n != 2 {
		t.Errorf("%d import audit events, want 2", n)
	}

	// The fail inside the wait does not restart it: 2026-03-31 is 30 days
	// after the counted fail of 2026-03-01, though one after 2026-03-30.
	rep = importOK(t, db, "3.csv", csvOf("CPSRP0000002,2026-03-31,C,320,fail"))
	if len(rep.NotCounted) != 0 {
		t.Errorf("retake after the wait not counted: %+v", rep.NotCounted)
	}
	if st, n := authState(t, db, failer.authID); st != "active" || n != 2 {
		t.Errorf("after a counted retake = %s/%d, want active/2", st, n)
	}
}

func TestImportRetakeAfterTheWaitCounts(t *testing.T) {
	db := newExamDB(t)
	ctx := context.Background()
	x := authorize(t, db, "p@example.org", "CPSRP0000001", windowFrom, windowUntil)
	importOK(t, db, "1.csv", csvOf("CPSRP0000001,2026-03-01,A,300,fail"))
	rep := importOK(t, db, "2.csv", csvOf("CPSRP0000001,2026-03-31,B,700,pass")) // exactly 30 days later
	if len(rep.NotCounted) != 0 || len(rep.Issued) != 1 {
		t.Fatalf("report = %+v; want the retake counted and a credential issued", rep)
	}
	if st, n := authState(t, db, x.authID); st != "used" || n != 2 {
		t.Errorf("authorization = %s/%d, want used/2", st, n)
	}
	if got, err := db.CredentialsOfUser(ctx, x.userID); err != nil || len(got) != 1 {
		t.Errorf("credentials = %v, %v; want one", got, err)
	}
}

func TestImportWaitFollowsTheConfiguredDays(t *testing.T) {
	db := newExamDB(t)
	if _, err := db.Pool.Exec(context.Background(), `UPDATE credential_types SET exam_retake_wait_days = 0 WHERE code = 'CPSRP'`); err != nil {
		t.Fatal(err)
	}
	x := authorize(t, db, "p@example.org", "CPSRP0000001", windowFrom, windowUntil)
	rep := importOK(t, db, "1.csv", csvOf("CPSRP0000001,2026-03-01,A,300,fail", "CPSRP0000001,2026-03-01,B,700,pass"))
	if len(rep.NotCounted) != 0 || len(rep.Issued) != 1 {
		t.Fatalf("report = %+v; with no wait a same-day retake counts", rep)
	}
	if st, n := authState(t, db, x.authID); st != "used" || n != 2 {
		t.Errorf("authorization = %s/%d, want used/2", st, n)
	}
}

func TestImportOneFileTakesEffectInDateOrder(t *testing.T) {
	db := newExamDB(t)
	x := authorize(t, db, "p@example.org", "CPSRP0000001", windowFrom, windowUntil)
	y := authorize(t, db, "q@example.org", "CPSRP0000002", windowFrom, windowUntil)
	file := csvOf(
		"CPSRP0000001,2026-03-20,B,700,pass", // in line order this pass would issue
		"CPSRP0000002,2026-05-01,B,700,pass",
		"CPSRP0000001,2026-03-01,A,300,fail",
		"CPSRP0000002,2026-03-01,A,300,fail")
	rep := importOK(t, db, "r.csv", file)
	if len(rep.Issued) != 1 || rep.Issued[0].CandidateID != "CPSRP0000002" {
		t.Fatalf("issued = %+v; want only CPSRP0000002, whose pass is 61 days after its fail", rep.Issued)
	}
	if len(rep.NotCounted) != 1 || rep.NotCounted[0].Line != 2 || !strings.Contains(rep.NotCounted[0].Message, "failed attempt of 2026-03-01") {
		t.Fatalf("not counted = %+v; want line 2, the pass 19 days after the fail", rep.NotCounted)
	}
	if st, n := authState(t, db, x.authID); st != "active" || n != 1 {
		t.Errorf("CPSRP0000001 = %s/%d, want active/1", st, n)
	}
	if st, n := authState(t, db, y.authID); st != "used" || n != 2 {
		t.Errorf("CPSRP0000002 = %s/%d, want used/2", st, n)
	}

	// Importing the same file again changes nothing.
	before := count(t, db, `SELECT count(*) FROM audit_events WHERE action <> 'exam.results_imported'`)
	again := importOK(t, db, "r.csv", file)
	if again.NewResults != 0 || again.AlreadyImported != 4 || len(again.NotCounted)+len(again.Issued)+len(again.Ignored) != 0 {
		t.Errorf("re-import report = %+v; want nothing new", again)
	}
	if st, n := authState(t, db, x.authID); st != "active" || n != 1 {
		t.Errorf("after re-import CPSRP0000001 = %s/%d, want active/1", st, n)
	}
	if st, n := authState(t, db, y.authID); st != "used" || n != 2 {
		t.Errorf("after re-import CPSRP0000002 = %s/%d, want used/2", st, n)
	}
	for table, want := range map[string]int{"exam_results": 4, "credentials": 1} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != want {
			t.Errorf("%s has %d rows after re-import, want %d", table, n, want)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action <> 'exam.results_imported'`); n != before {
		t.Errorf("re-import wrote %d state-change audit events, want none", n-before)
	}
}
