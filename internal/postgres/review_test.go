package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

func queueIDs(p *postgres.QueuePage) []int64 {
	var ids []int64
	for _, it := range p.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestReviewQueue(t *testing.T) {
	f := newAppFixture(t)
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	applicants := f.manyApplicants(32)

	// 30 cases submitted a minute apart, newest id first so that id order
	// and submission order differ; 2 grandparenting while the window was open.
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	var ids []int64 // in submission order
	for i := 29; i >= 0; i-- {
		f.now = start.Add(time.Duration(i) * time.Minute)
		pathway := peerboard.PathwayStandard
		if i == 3 || i == 27 {
			pathway = peerboard.PathwayGrandparenting
		}
		a := f.submitted(applicants[i], pathway)
		ids = append([]int64{a.ID}, ids...)
	}
	// A draft and a withdrawn case never show in the default queue.
	u30 := peerboard.UserFromContext(applicants[30])
	if _, err := f.db.CreateApplication(applicants[30], u30.ID, f.cpsrp.ID, peerboard.PathwayStandard); err != nil {
		t.Fatal(err)
	}
	w := f.submitted(applicants[31], peerboard.PathwayStandard)
	if _, err := f.db.WithdrawApplication(applicants[31], w.ID, w.Version); err != nil {
		t.Fatal(err)
	}
	// Case 5 is under review, case 6 approved.
	a5, _ := f.db.ApplicationByID(rctx, ids[5])
	if _, err := f.db.StartReview(rctx, a5.ID, a5.Version); err != nil {
		t.Fatal(err)
	}
	a6, _ := f.db.ApplicationByID(rctx, ids[6])
	if _, err := f.db.DecideApplication(rctx, a6.ID, a6.Version, peerboard.DecisionApprove, ""); err != nil {
		t.Fatal(err)
	}
	waiting := append(append([]int64{}, ids[:6]...), ids[7:]...) // 29 cases

	ctx := context.Background()
	p1, err := f.db.ReviewQueue(ctx, postgres.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := queueIDs(p1); !equalIDs(got, waiting[:25]) || p1.Next == nil || p1.Prev != nil {
		t.Fatalf("page 1 = %v (next %v, prev %v), want %v with a next page only", got, p1.Next, p1.Prev, waiting[:25])
	}
	if it := p1.Items[5]; it.Status != peerboard.AppUnderReview || it.AssignedToName != "Name of rev@example.org" || it.CredentialTypeCode != "CPSRP" {
		t.Errorf("item 5 = %+v, want under review, assigned to the reviewer", it)
	}
	p2, err := f.db.ReviewQueue(ctx, postgres.QueueFilter{After: p1.Next})
	if err != nil {
		t.Fatal(err)
	}
	if got := queueIDs(p2); !equalIDs(got, waiting[25:]) || p2.Next != nil || p2.Prev == nil {
		t.Fatalf("page 2 = %v (next %v), want %v and a previous page", got, p2.Next, waiting[25:])
	}
	// The cursor survives its trip through a URL.
	cur, err := postgres.ParseQueueCursor(p2.Prev.String())
	if err != nil {
		t.Fatal(err)
	}
	back, err := f.db.ReviewQueue(ctx, postgres.QueueFilter{Before: cur})
	if err != nil {
		t.Fatal(err)
	}
	if got := queueIDs(back); !equalIDs(got, waiting[:25]) || back.Prev != nil || back.Next == nil {
		t.Errorf("back to page 1 = %v (prev %v), want %v", got, back.Prev, waiting[:25])
	}

	tests := []struct {
		name   string
		filter postgres.QueueFilter
		want   []int64
	}{
		{"under review", postgres.QueueFilter{Status: peerboard.AppUnderReview}, []int64{ids[5]}},
		{"approved", postgres.QueueFilter{Status: peerboard.AppApproved}, []int64{ids[6]}},
		{"withdrawn", postgres.QueueFilter{Status: peerboard.AppWithdrawn}, []int64{w.ID}},
		{"grandparenting", postgres.QueueFilter{Pathway: peerboard.PathwayGrandparenting}, []int64{ids[3], ids[27]}},
		{"submitted grandparenting", postgres.QueueFilter{Status: peerboard.AppSubmitted, Pathway: peerboard.PathwayGrandparenting}, []int64{ids[3], ids[27]}},
		{"standard, small pages", postgres.QueueFilter{Pathway: peerboard.PathwayStandard, Limit: 3}, []int64{ids[0], ids[1], ids[2]}},
		{"standard after case 4", postgres.QueueFilter{Pathway: peerboard.PathwayStandard, Limit: 3,
			After: &postgres.QueueCursor{SubmittedAt: start.Add(4 * time.Minute), ID: ids[4]}}, []int64{ids[5], ids[7], ids[8]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.db.ReviewQueue(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := queueIDs(p); !equalIDs(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []postgres.QueueFilter{{Status: peerboard.AppDraft}, {Status: "nonsense"}, {Pathway: "other"}} {
		if _, err := f.db.ReviewQueue(ctx, bad); peerboard.ErrorCode(err) != peerboard.EINVALID {
			t.Errorf("filter %+v: %v, want invalid", bad, err)
		}
	}
	if _, err := postgres.ParseQueueCursor("12-abc"); peerboard.ErrorCode(err) != peerboard.EMALFORMED {
		t.Errorf("bad cursor: %v, want malformed", err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReviewQueuePlan proves on 20,000 applications that every queue view
// reads applications_queue_idx or applications_status_queue_idx in order,
// never scanning or sorting the table. Plans seen on PostgreSQL 15:
//
// Default view, next page:
//
//	Limit  (cost=1.30..220.45 rows=26 width=124)
//	  ->  Nested Loop Left Join
//	        ->  Nested Loop
//	              ->  Nested Loop
//	                    ->  Nested Loop
//	                          ->  Limit  (cost=0.29..4.19 rows=26 width=16)
//	                                ->  Index Only Scan using applications_queue_idx on applications
//	                                      Index Cond: (ROW(submitted_at, id) > ROW('2026-01-05 00:00:00+00', '5000'))
//	                          ->  Index Scan using applications_pkey on applications a
//	                    ->  Index Scan using users_pkey on users u
//	              ->  Memoize -> Index Scan using credential_types_pkey on credential_types t
//	        ->  Index Scan using users_pkey on users r
//
// Filtered by pathway (one ordered scan per status, merged without a sort):
//
//	Limit  (cost=2.28..271.86 rows=26 width=124)
//	  ->  Nested Loop Left Join ...
//	        ->  Merge Append  (Sort Key: submitted_at, id)
//	              ->  Limit -> Index Only Scan using applications_status_queue_idx on applications
//	                    Index Cond: ((status = 'submitted') AND (pathway = 'grandparenting')
//	                                 AND (submitted_at IS NOT NULL) AND (ROW(submitted_at, id) > ROW(...)))
//	              ->  Limit -> Index Only Scan using applications_status_queue_idx ... 'under_review' ...
//	              ->  Limit -> Index Only Scan using applications_status_queue_idx ... 'resubmitted' ...
func TestReviewQueuePlan(t *testing.T) {
	f := newAppFixture(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`INSERT INTO users (email, name, role, password_hash)
		 SELECT 'bulk' || g || '@example.org', 'Bulk ' || g, 'applicant', 'x' FROM generate_series(1, 20000) g`,
		`INSERT INTO applications (applicant_id, credential_type_id, pathway, status, submitted_at)
		 SELECT u.id, ` + strconv.FormatInt(f.cpsrp.ID, 10) + `,
		        CASE WHEN u.id % 10 = 0 THEN 'grandparenting' ELSE 'standard' END,
		        (ARRAY['draft','submitted','under_review','resubmitted','approved','denied','withdrawn'])[1 + u.id % 7],
		        CASE WHEN u.id % 7 = 0 THEN NULL ELSE timestamptz '2026-01-01' + u.id * interval '1 minute' END
		 FROM users u WHERE u.email LIKE 'bulk%'`,
		`ANALYZE applications`, `ANALYZE users`,
	} {
		if _, err := f.db.Pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	cursor := &postgres.QueueCursor{SubmittedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), ID: 5000}
	tests := []struct {
		name   string
		filter postgres.QueueFilter
		index  string
	}{
		{"default", postgres.QueueFilter{}, "applications_queue_idx"},
		{"default, next page", postgres.QueueFilter{After: cursor}, "applications_queue_idx"},
		{"default, previous page", postgres.QueueFilter{Before: cursor}, "applications_queue_idx"},
		{"status", postgres.QueueFilter{Status: peerboard.AppApproved}, "applications_status_queue_idx"},
		{"pathway", postgres.QueueFilter{Pathway: peerboard.PathwayGrandparenting, After: cursor}, "applications_status_queue_idx"},
		{"status and pathway", postgres.QueueFilter{Status: peerboard.AppApproved, Pathway: peerboard.PathwayStandard, After: cursor}, "applications_status_queue_idx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := f.db.ExplainReviewQueue(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("plan:\n%s", plan)
			if !strings.Contains(plan, "using "+tt.index) {
				t.Errorf("plan does not read %s", tt.index)
			}
			if strings.Contains(plan, "Seq Scan on applications") || strings.Contains(plan, "Bitmap Heap Scan on applications") ||
				strings.Contains(plan, "  Sort  ") {
				t.Errorf("plan scans or sorts the applications table")
			}
		})
	}
}

func TestDecideApplication(t *testing.T) {
	f := newAppFixture(t)
	rev, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	applicants := f.manyApplicants(4)

	t.Run("approve standard authorizes the exam", func(t *testing.T) {
		a := f.submitted(applicants[0], peerboard.PathwayStandard)
		out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionApprove, "")
		if err != nil {
			t.Fatal(err)
		}
		got := out.Application
		if got.Status != peerboard.AppApproved || got.DecidedAt == nil || got.AssignedTo == nil || *got.AssignedTo != rev.ID {
			t.Errorf("approved %+v, want approved, decided, assigned to the reviewer", got)
		}
		if out.Exam == nil || out.Credential != nil || !out.Exam.ValidUntil.Equal(f.db.Today().AddDate(0, 0, f.cpsrp.ExamAuthorizationDays)) {
			t.Fatalf("outcome %+v, want an exam authorization valid %d days", out, f.cpsrp.ExamAuthorizationDays)
		}
		xs, _ := f.db.ExamAuthorizationsOfUser(context.Background(), a.ApplicantID)
		if len(xs) != 1 || xs[0].CandidateID != out.Exam.CandidateID {
			t.Errorf("stored authorizations = %+v", xs)
		}
		var decidedBy int64
		if err := f.db.Pool.QueryRow(rctx, `SELECT decided_by FROM applications WHERE id = $1`, a.ID).Scan(&decidedBy); err != nil || decidedBy != rev.ID {
			t.Errorf("decided_by = %d, %v; want %d", decidedBy, err, rev.ID)
		}
		// Submitted → under review → approved, then the exam authorization.
		trail, _ := f.db.CaseAuditTrail(rctx, a.ID)
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		want := "application.created application.draft_saved application.submitted application.under_review application.approved exam.authorized"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit trail = %v, want %s", actions, want)
		}
	})

	t.Run("approve grandparenting issues the credential", func(t *testing.T) {
		f.now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
		defer func() { f.now = testNow }()
		a := f.submitted(applicants[1], peerboard.PathwayGrandparenting)
		a, err := f.db.StartReview(rctx, a.ID, a.Version)
		if err != nil || a.Status != peerboard.AppUnderReview {
			t.Fatalf("start review: %+v, %v", a, err)
		}
		out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionApprove, "Prior RSS certificate checked")
		if err != nil {
			t.Fatal(err)
		}
		c := out.Credential
		if c == nil || out.Exam != nil || c.Status != peerboard.CredActive || !c.FamilyModifier || c.LastName != "Lovelace" ||
			!c.IssuedOn.Equal(f.db.Today()) || !c.ExpiresOn.Equal(f.cpsrp.ExpiryFor(f.db.Today())) {
			t.Fatalf("outcome %+v, want an active credential with the F modifier", c)
		}
		cs, _ := f.db.CredentialsOfUser(context.Background(), a.ApplicantID)
		if len(cs) != 1 || cs[0].Number != c.Number {
			t.Errorf("stored credentials = %+v", cs)
		}
		trail, _ := f.db.CaseAuditTrail(rctx, a.ID)
		if last := trail[len(trail)-1]; last.Action != "credential.issued" || last.EntityID != c.ID {
			t.Errorf("last audit event = %+v, want credential.issued", last)
		}
	})

	t.Run("deny opens the appeal window", func(t *testing.T) {
		a := f.submitted(applicants[2], peerboard.PathwayStandard)
		_, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionDeny, " ")
		if peerboard.ErrorFields(err)["reason"] == "" {
			t.Errorf("deny without reason: %v, want a reason field error", err)
		}
		out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionDeny, "No supervised hours")
		if err != nil {
			t.Fatal(err)
		}
		got := out.Application
		if got.Status != peerboard.AppDenied || got.AppealUntil == nil || !got.AppealUntil.Equal(f.db.Today().AddDate(0, 0, f.cpsrp.AppealDays)) ||
			got.BoardMessage != "No supervised hours" || got.DecidedAt == nil || out.Exam != nil || out.Credential != nil {
			t.Errorf("denied %+v, want appeal until +%d days and the reasons", got, f.cpsrp.AppealDays)
		}
	})

	t.Run("request information, answer, then decide again", func(t *testing.T) {
		a := f.submitted(applicants[3], peerboard.PathwayStandard)
		out, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionRequestInfo, "Send your hours log")
		if err != nil {
			t.Fatal(err)
		}
		got := out.Application
		if got.Status != peerboard.AppNeedsInformation || got.BoardMessage != "Send your hours log" || got.DecidedAt != nil ||
			got.InfoDeadline == nil || !got.InfoDeadline.Equal(f.db.Today().AddDate(0, 0, 30)) {
			t.Errorf("after request: %+v, want needs information with a 30-day deadline", got)
		}
		_, err = f.db.DecideApplication(rctx, a.ID, got.Version, peerboard.DecisionApprove, "")
		wantCode(t, err, peerboard.EINVALID) // the applicant must answer first
		got, err = f.db.RespondToRequest(applicants[3], a.ID, got.Version, "Attached", nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err = f.db.DecideApplication(rctx, a.ID, got.Version, peerboard.DecisionApprove, "")
		if err != nil || out.Application.Status != peerboard.AppApproved || out.Exam == nil {
			t.Fatalf("approve after answer: %+v, %v", out, err)
		}
	})
}

func TestDecideOwnApplication(t *testing.T) {
	f := newAppFixture(t)
	u, ctx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a := f.submitted(ctx, peerboard.PathwayStandard)
	// The applicant later joins the board's staff.
	if err := f.db.SetUserRole(context.Background(), u.ID, peerboard.RoleReviewer, nil); err != nil {
		t.Fatal(err)
	}
	u.Role = peerboard.RoleReviewer
	rctx := peerboard.NewContextWithUser(context.Background(), u)
	_, err := f.db.DecideApplication(rctx, a.ID, a.Version, peerboard.DecisionApprove, "")
	wantCode(t, err, peerboard.EFORBIDDEN)
	_, err = f.db.StartReview(rctx, a.ID, a.Version)
	wantCode(t, err, peerboard.EFORBIDDEN)
	if got, _ := f.db.ApplicationByID(ctx, a.ID); got.Status != peerboard.AppSubmitted || got.Version != a.Version {
		t.Errorf("after refused decisions: %+v, want unchanged", got)
	}
}

func TestConcurrentDecisions(t *testing.T) {
	f := newAppFixture(t)
	_, r1 := f.user(peerboard.RoleReviewer, "rev1@example.org")
	_, r2 := f.user(peerboard.RoleAdmin, "rev2@example.org")
	_, actx := f.user(peerboard.RoleApplicant, "ada@example.org")
	a := f.submitted(actx, peerboard.PathwayStandard)

	type result struct {
		out *postgres.DecisionOutcome
		err error
	}
	results := make([]result, 2)
	decisions := []struct {
		ctx    context.Context
		d      peerboard.Decision
		reason string
	}{{r1, peerboard.DecisionApprove, ""}, {r2, peerboard.DecisionDeny, "Incomplete"}}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, d := range decisions {
		wg.Go(func() {
			<-start
			out, err := f.db.DecideApplication(d.ctx, a.ID, a.Version, d.d, d.reason)
			results[i] = result{out, err}
		})
	}
	close(start)
	wg.Wait()

	var winner *postgres.DecisionOutcome
	conflicts := 0
	for _, r := range results {
		switch {
		case r.err == nil:
			winner = r.out
		case peerboard.ErrorCode(r.err) == peerboard.ECONFLICT:
			conflicts++
		default:
			t.Fatalf("unexpected error %v", r.err)
		}
	}
	if winner == nil || conflicts != 1 {
		t.Fatalf("results = %+v, want one winner and one conflict", results)
	}
	got, _ := f.db.ApplicationByID(context.Background(), a.ID)
	if got.Status != winner.Application.Status || got.Version != winner.Application.Version {
		t.Errorf("stored %s v%d, want the winner's %s v%d", got.Status, got.Version, winner.Application.Status, winner.Application.Version)
	}
	trail, _ := f.db.CaseAuditTrail(context.Background(), a.ID)
	decided := 0
	for _, e := range trail {
		if e.Action == "application.approved" || e.Action == "application.denied" || e.Action == "application.under_review" {
			decided++
		}
	}
	if decided != 2 { // one under_review and one decision, from the winner only
		t.Errorf("%d review/decision events, want 2: %+v", decided, trail)
	}
	var exams int
	_ = f.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM exam_authorizations WHERE application_id = $1`, a.ID).Scan(&exams)
	if (winner.Application.Status == peerboard.AppApproved) != (exams == 1) {
		t.Errorf("%d exam authorizations for a %s case", exams, winner.Application.Status)
	}
}
