package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/demo"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// counted are the tables a second seed must not add rows to.
var counted = []string{"users", "applications", "attestations", "training_completions", "exam_results",
	"credentials", "ce_activities", "ce_imports", "renewals", "stored_files", "discipline_actions",
	"audit_events", "mail_messages"}

func rowCounts(t *testing.T, db *postgres.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range counted {
		var n int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// groups returns count(*) per value of expr in table.
func groups(t *testing.T, db *postgres.DB, table, expr string) map[string]int {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT `+expr+`, count(*) FROM `+table+` GROUP BY 1`)
	if err != nil {
		t.Fatalf("group %s by %s: %v", table, expr, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	// A fixed "today" after the grandparenting window closed, as in the
	// real calendar, so the demo must travel back to make that case.
	today := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return today }

	start := time.Now()
	accounts, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("first seed took %s", time.Since(start))
	if got := db.Now(); !got.Equal(today) {
		t.Errorf("Seed left the clock at %s, want it restored to %s", got, today)
	}

	t.Run("accounts", func(t *testing.T) {
		roles := map[peerboard.Role]int{}
		for _, a := range accounts {
			u, err := db.UserByEmail(ctx, a.Email)
			if err != nil {
				t.Fatalf("account %s: %v", a.Email, err)
			}
			if u.Role != a.Role {
				t.Errorf("%s has role %s, want %s", a.Email, u.Role, a.Role)
			}
			if !u.EmailVerified() {
				t.Errorf("%s is unconfirmed: the training and CE recorded for it would not count", a.Email)
			}
			if !peerboard.CheckPassword(demo.Password, u.PasswordHash) {
				t.Errorf("%s does not take the demo password", a.Email)
			}
			roles[a.Role]++
		}
		for _, r := range []peerboard.Role{peerboard.RoleAdmin, peerboard.RoleReviewer, peerboard.RoleTrainer, peerboard.RoleApplicant} {
			if roles[r] == 0 {
				t.Errorf("no demo account with role %s", r)
			}
		}
	})

	t.Run("application statuses", func(t *testing.T) {
		got := groups(t, db, "applications", "status")
		for _, s := range peerboard.AllApplicationStatuses() {
			if s == peerboard.AppAbandoned {
				continue // no code path reaches it yet
			}
			if got[string(s)] == 0 {
				t.Errorf("no application is %s (have %v)", s, got)
			}
		}
		var gp, examOnly, denialReasons int
		err := db.Pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE a.pathway = 'grandparenting' AND a.status = 'approved' AND c.id IS NOT NULL),
			count(*) FILTER (WHERE a.pathway = 'standard' AND a.status = 'approved' AND c.id IS NULL AND x.status = 'active' AND x.attempts = 0),
			count(*) FILTER (WHERE a.status = 'denied' AND a.board_message <> '' AND a.appeal_until > $1)
			FROM applications a LEFT JOIN credentials c ON c.application_id = a.id
			LEFT JOIN exam_authorizations x ON x.application_id = a.id`, today).Scan(&gp, &examOnly, &denialReasons)
		if err != nil {
			t.Fatal(err)
		}
		if gp == 0 || examOnly == 0 || denialReasons == 0 {
			t.Errorf("grandparenting approved with credential: %d, standard approved awaiting exam: %d, denied with reasons: %d; want each > 0",
				gp, examOnly, denialReasons)
		}
		u, err := db.UserByEmail(ctx, "applicant@peerboard.test")
		if err != nil {
			t.Fatal(err)
		}
		apps, err := db.ApplicationsOfUser(ctx, u.ID, 10)
		if err != nil || len(apps) != 1 || apps[0].Status != peerboard.AppDraft {
			t.Errorf("applicant@ applications = %+v, %v; want one draft", apps, err)
		}
	})

	t.Run("training and exam", func(t *testing.T) {
		var lapsed, fails, passes int
		err := db.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM training_completions tc JOIN training_organizations o ON o.id = tc.organization_id
			 WHERE o.approved_until < current_date),
			(SELECT count(*) FROM exam_results WHERE NOT passed),
			(SELECT count(*) FROM exam_results WHERE passed)`).Scan(&lapsed, &fails, &passes)
		if err != nil {
			t.Fatal(err)
		}
		if lapsed == 0 || fails == 0 || passes == 0 {
			t.Errorf("completions by a since-lapsed organization: %d, failed results: %d, passed: %d; want each > 0", lapsed, fails, passes)
		}
		var hours float64
		var comps int
		var ethics bool
		err = db.Pool.QueryRow(ctx, `SELECT c.total_hours::float8, c.includes_ethics_module, count(*), sum(cc.hours)::float8 = c.total_hours::float8
			FROM training_courses c JOIN course_competencies cc ON cc.course_id = c.id
			WHERE c.code = 'CPSRP-CORE' GROUP BY c.id`).Scan(&hours, &ethics, &comps, new(bool))
		if err != nil || hours != 80 || !ethics || comps != 12 {
			t.Errorf("core course: %v hours, ethics module %v, %d competencies, %v; want 80, true, 12", hours, ethics, comps, err)
		}
	})

	t.Run("credentials", func(t *testing.T) {
		got := groups(t, db, "credentials", "status")
		for _, s := range []peerboard.CredentialStatus{peerboard.CredActive, peerboard.CredExpired, peerboard.CredInactive} {
			if got[string(s)] == 0 {
				t.Errorf("no credential is %s (have %v)", s, got)
			}
		}
		var inWindow, inGrace, reinstate, family, disciplined int
		err := db.Pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE status = 'active' AND expires_on BETWEEN $1::date AND $1::date + 90),
			count(*) FILTER (WHERE status = 'expired' AND expires_on < $1::date AND expires_on + 90 >= $1::date AND reinstatement_required_at IS NULL),
			count(*) FILTER (WHERE status = 'expired' AND reinstatement_required_at IS NOT NULL),
			count(*) FILTER (WHERE family_modifier),
			(SELECT count(DISTINCT credential_id) FROM discipline_actions WHERE public)
			FROM credentials`, today).Scan(&inWindow, &inGrace, &reinstate, &family, &disciplined)
		if err != nil {
			t.Fatal(err)
		}
		for name, n := range map[string]int{"in renewal window": inWindow, "in grace": inGrace,
			"reinstatement required": reinstate, "F modifier": family, "public discipline": disciplined} {
			if n == 0 {
				t.Errorf("no credential %s", name)
			}
		}
	})

	t.Run("CE and renewal", func(t *testing.T) {
		got := groups(t, db, "ce_activities", "source")
		if got["self_reported"] == 0 || got["verified"] == 0 {
			t.Errorf("CE by source = %v, want both", got)
		}
		var audited, pendingWithProof int
		err := db.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM renewals WHERE audit_selected AND status = 'submitted'),
			(SELECT count(*) FROM ce_activities WHERE audit_status = 'pending' AND proof_file_id IS NOT NULL)`).
			Scan(&audited, &pendingWithProof)
		if err != nil {
			t.Fatal(err)
		}
		if audited != 1 || pendingWithProof == 0 {
			t.Errorf("audited renewals: %d (want 1), pending items with proof: %d (want > 0)", audited, pendingWithProof)
		}
		// The CE states the holders' dashboards show.
		for email, wantMet := range map[string]bool{"holder@peerboard.test": false, "maria.santos@peerboard.test": true} {
			u, err := db.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := db.CredentialsOfUser(ctx, u.ID)
			if err != nil || len(cs) != 1 {
				t.Fatalf("credentials of %s: %v, %v", email, cs, err)
			}
			ov, err := db.RenewalOverview(peerboard.NewContextWithUser(ctx, u), cs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if ov.Progress.Met != wantMet || ov.Progress.Counted == 0 {
				t.Errorf("%s CE: met %v with %v hours, want met %v with some hours", email, ov.Progress.Met, ov.Progress.Counted, wantMet)
			}
		}
	})

	t.Run("mail", func(t *testing.T) {
		got := groups(t, db, "mail_messages", "kind")
		for _, kind := range []string{peerboard.MailReminder, peerboard.MailRenewalReceived, peerboard.MailAuditSelected, peerboard.MailStatusChanged} {
			if got[kind] == 0 {
				t.Errorf("no %s mail (have %v)", kind, got)
			}
		}
	})

	t.Run("second seed changes nothing", func(t *testing.T) {
		before := rowCounts(t, db)
		again, err := demo.Seed(ctx, db)
		if err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		if len(again) != len(accounts) {
			t.Errorf("second Seed returned %d accounts, want %d", len(again), len(accounts))
		}
		after := rowCounts(t, db)
		for _, table := range counted {
			if before[table] != after[table] {
				t.Errorf("%s: %d rows before the second seed, %d after", table, before[table], after[table])
			}
		}
	})
}

// An older seed made the four base accounts and the organization; seeding
// now completes the demo around them.
func TestSeedOverOlderSeed(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	hash, err := peerboard.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.EnsureDemoOrganization(ctx, "Connecticut Recovery Training Collaborative", db.Today()); err != nil {
		t.Fatal(err)
	}
	// Older seeds predate email confirmation; the migration confirmed them.
	verified := db.Now()
	if err := db.CreateUser(ctx, &peerboard.User{Email: "applicant@peerboard.test", Name: "Alex Applicant",
		Role: peerboard.RoleApplicant, PasswordHash: hash, EmailVerifiedAt: &verified}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatalf("Seed over an older seed: %v", err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM training_organizations`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d organizations (%v), want the demo one reused and the lapsed one added", n, err)
	}
}

// A seed that stopped half-way is reported, not silently treated as done.
func TestSeedRefusesPartialDemo(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	if err := db.CreateUser(ctx, &peerboard.User{Email: "holder@peerboard.test", Name: "Jordan Rivera",
		Role: peerboard.RoleApplicant, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db); err == nil {
		t.Fatal("Seed over a partial demo succeeded, want an error")
	}
}
