package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// pplAccount stores an account and returns it with a context acting as it.
func pplAccount(t *testing.T, db *postgres.DB, role peerboard.Role, name, email string, org *int64) (*peerboard.User, context.Context) {
	t.Helper()
	u := &peerboard.User{Email: email, Name: name, Role: role, OrganizationID: org, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u, peerboard.NewContextWithUser(context.Background(), u)
}

func pplOrg(t *testing.T, db *postgres.DB, name string) *int64 {
	t.Helper()
	id, err := db.EnsureDemoOrganization(context.Background(), name, db.Today())
	if err != nil {
		t.Fatal(err)
	}
	return &id
}

func pplWantCode(t *testing.T, err error, code string) {
	t.Helper()
	if peerboard.ErrorCode(err) != code {
		t.Fatalf("err = %v, want code %q", err, code)
	}
}

func TestAccountsSearchFilterAndPages(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	// 60 applicants "Person 00".."Person 59", plus a few with names and
	// emails to search for.
	for i := range 60 {
		pplAccount(t, db, peerboard.RoleApplicant, fmt.Sprintf("Person %02d", i), fmt.Sprintf("p%02d@example.org", i), nil)
	}
	roberta, _ := pplAccount(t, db, peerboard.RoleReviewer, "Roberta Díaz", "rdiaz@board.example", nil)
	robin, _ := pplAccount(t, db, peerboard.RoleApplicant, "robin Park", "park@example.org", nil)
	pct, _ := pplAccount(t, db, peerboard.RoleAdmin, "Ann 100% Admin", "ann_admin@board.example", nil)

	names := func(as []postgres.Account) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	tests := []struct {
		name string
		f    postgres.AccountFilter
		want []int64
	}{
		{"name prefix ignores case", postgres.AccountFilter{Query: "ROB"}, []int64{roberta.ID, robin.ID}},
		{"email prefix", postgres.AccountFilter{Query: "Park@"}, []int64{robin.ID}},
		{"name prefix and role", postgres.AccountFilter{Query: "rob", Role: peerboard.RoleReviewer}, []int64{roberta.ID}},
		{"only a prefix, not inside", postgres.AccountFilter{Query: "díaz"}, nil},
		{"percent is literal", postgres.AccountFilter{Query: "ann 100%"}, []int64{pct.ID}},
		{"percent alone matches nothing", postgres.AccountFilter{Query: "%"}, nil},
		{"underscore is literal", postgres.AccountFilter{Query: "ann_"}, []int64{pct.ID}},
		{"underscore is not a wildcard", postgres.AccountFilter{Query: "p_0"}, nil},
		{"role alone", postgres.AccountFilter{Role: peerboard.RoleAdmin}, []int64{pct.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more, err := db.Accounts(ctx, tt.f, 50)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) || more {
				t.Errorf("got %v (%v, more %v), want %v", ids, names(got), more, tt.want)
			}
		})
	}

	t.Run("pages of 50 cover every account once, by name", func(t *testing.T) {
		var all []postgres.Account
		f := postgres.AccountFilter{}
		for page := 0; ; page++ {
			got, more, err := db.Accounts(ctx, f, 50)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, got...)
			if !more {
				break
			}
			if page > 5 {
				t.Fatal("paging does not end")
			}
			f.After = got[len(got)-1].ID
		}
		if len(all) != 63 {
			t.Fatalf("%d accounts over the pages, want 63", len(all))
		}
		seen := map[int64]bool{}
		for i, a := range all {
			if seen[a.ID] {
				t.Fatalf("%s listed twice", a.Name)
			}
			seen[a.ID] = true
			if i > 0 && strings.ToLower(all[i-1].Name) > strings.ToLower(a.Name) {
				t.Errorf("%q before %q: not by name", all[i-1].Name, a.Name)
			}
		}
	})

	t.Run("a role's pages", func(t *testing.T) {
		first, more, err := db.Accounts(ctx, postgres.AccountFilter{Role: peerboard.RoleApplicant}, 50)
		if err != nil || len(first) != 50 || !more {
			t.Fatalf("first page: %d accounts, more %v, %v; want 50 and more", len(first), more, err)
		}
		rest, more, err := db.Accounts(ctx, postgres.AccountFilter{Role: peerboard.RoleApplicant, After: first[49].ID}, 50)
		if err != nil || len(rest) != 11 || more {
			t.Fatalf("second page: %d accounts, more %v, %v; want the 11 others", len(rest), more, err)
		}
	})

	t.Run("no password hash leaves", func(t *testing.T) {
		a, err := db.AccountByID(ctx, roberta.ID)
		if err != nil || a.Email != "rdiaz@board.example" || a.Role != peerboard.RoleReviewer {
			t.Fatalf("AccountByID = %+v, %v", a, err)
		}
		if _, err := db.AccountByID(ctx, 999999); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
			t.Errorf("unknown id: %v, want not found", err)
		}
	})
}

func TestAccountsPlanUsesIndexes(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO users (email, name, role, password_hash)
		SELECT 'u' || g || '@example.org', 'User ' || g, 'applicant', 'x' FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE users`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []postgres.AccountFilter{
		{},
		{After: 500},
		{Role: peerboard.RoleApplicant, After: 500},
		{Query: "user 1234"},
		{Query: "u1234@"},
	} {
		plan, err := db.ExplainAccounts(ctx, f, 50)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "Seq Scan on users u") {
			t.Errorf("%+v reads the whole table:\n%s", f, plan)
		}
	}
}

func TestChangeRole(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	admin, asAdmin := pplAccount(t, db, peerboard.RoleAdmin, "Ada Admin", "admin@board.example", nil)
	_, asReviewer := pplAccount(t, db, peerboard.RoleReviewer, "Rae Reviewer", "rae@board.example", nil)
	u, _ := pplAccount(t, db, peerboard.RoleApplicant, "Pat Person", "pat@example.org", nil)
	org := pplOrg(t, db, "Harbor Training")

	changed, err := db.ChangeRole(asAdmin, u.ID, peerboard.RoleReviewer, org)
	if err != nil || !changed {
		t.Fatalf("ChangeRole = %v, %v; want changed", changed, err)
	}
	got, _ := db.UserByID(ctx, u.ID)
	if got.Role != peerboard.RoleReviewer || got.OrganizationID != nil {
		t.Errorf("after change: %+v; want reviewer without organization", got)
	}
	trail, err := db.AuditTrail(ctx, "user", u.ID)
	if err != nil || len(trail) != 2 || trail[1].Action != "user.role_changed" || trail[1].ActorID == nil || *trail[1].ActorID != admin.ID {
		t.Fatalf("trail = %+v, %v; want created then role_changed by the admin", trail, err)
	}

	// The same role again changes nothing and writes no second event.
	if changed, err := db.ChangeRole(asAdmin, u.ID, peerboard.RoleReviewer, nil); err != nil || changed {
		t.Errorf("same role again = %v, %v; want unchanged", changed, err)
	}
	if trail, _ := db.AuditTrail(ctx, "user", u.ID); len(trail) != 2 {
		t.Errorf("%d events after an unchanged submit, want 2", len(trail))
	}

	if _, err := db.ChangeRole(asAdmin, u.ID, peerboard.RoleTrainer, org); err != nil {
		t.Fatalf("to trainer: %v", err)
	}
	if got, _ := db.UserByID(ctx, u.ID); got.Role != peerboard.RoleTrainer || got.OrganizationID == nil || *got.OrganizationID != *org {
		t.Errorf("trainer = %+v; want organization %d", got, *org)
	}

	refusals := []struct {
		name  string
		ctx   context.Context
		id    int64
		role  peerboard.Role
		org   *int64
		code  string
		field string
	}{
		{"self-demotion", asAdmin, admin.ID, peerboard.RoleReviewer, nil, peerboard.EINVALID, "role"},
		{"trainer without organization", asAdmin, u.ID, peerboard.RoleTrainer, nil, peerboard.EINVALID, "organization_id"},
		{"unknown organization", asAdmin, u.ID, peerboard.RoleTrainer, ptr(int64(987654)), peerboard.EINVALID, "organization_id"},
		{"unknown role", asAdmin, u.ID, peerboard.Role("owner"), nil, peerboard.EINVALID, "role"},
		{"unknown user", asAdmin, 999999, peerboard.RoleReviewer, nil, peerboard.ENOTFOUND, ""},
		{"reviewer may not", asReviewer, u.ID, peerboard.RoleAdmin, nil, peerboard.EFORBIDDEN, ""},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.ChangeRole(tt.ctx, tt.id, tt.role, tt.org)
			pplWantCode(t, err, tt.code)
			if tt.field != "" && peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("no error on %s: %v", tt.field, peerboard.ErrorFields(err))
			}
		})
	}
	if got, _ := db.UserByID(ctx, admin.ID); got.Role != peerboard.RoleAdmin {
		t.Errorf("the admin demoted themselves: %s", got.Role)
	}
	// Keeping one's own admin role is no demotion.
	if changed, err := db.ChangeRole(asAdmin, admin.ID, peerboard.RoleAdmin, nil); err != nil || changed {
		t.Errorf("admin keeps own role = %v, %v", changed, err)
	}
}

func TestCreateStaffAccount(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	_, asAdmin := pplAccount(t, db, peerboard.RoleAdmin, "Ada Admin", "admin@board.example", nil)
	_, asReviewer := pplAccount(t, db, peerboard.RoleReviewer, "Rae Reviewer", "rae@board.example", nil)
	org := pplOrg(t, db, "Harbor Training")
	good := peerboard.StaffAccount{Name: " Tess Trainer ", Email: "Tess@Harbor.example", Role: peerboard.RoleTrainer,
		OrganizationID: org, Password: "lantern orchard velvet"}

	u, err := db.CreateStaffAccount(asAdmin, good)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.UserByEmail(ctx, "tess@harbor.example")
	if err != nil || got.ID != u.ID || got.Name != "Tess Trainer" || got.OrganizationID == nil || *got.OrganizationID != *org {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if !peerboard.CheckPassword("lantern orchard velvet", got.PasswordHash) {
		t.Error("the initial password does not sign in")
	}
	if trail, _ := db.AuditTrail(ctx, "user", u.ID); len(trail) != 1 || trail[0].Action != "user.created" || trail[0].ActorID == nil {
		t.Errorf("trail = %+v; want user.created by the admin", trail)
	}

	tests := []struct {
		name   string
		ctx    context.Context
		edit   func(*peerboard.StaffAccount)
		code   string
		fields []string
	}{
		{"duplicate email", asAdmin, func(a *peerboard.StaffAccount) { a.Email = "TESS@harbor.example" }, peerboard.EINVALID, []string{"email"}},
		{"applicant role", asAdmin, func(a *peerboard.StaffAccount) { a.Role = peerboard.RoleApplicant }, peerboard.EINVALID, []string{"role"}},
		{"trainer without organization", asAdmin, func(a *peerboard.StaffAccount) { a.Email = "x@h.example"; a.OrganizationID = nil }, peerboard.EINVALID, []string{"organization_id"}},
		{"unknown organization", asAdmin, func(a *peerboard.StaffAccount) { a.Email = "x@h.example"; a.OrganizationID = ptr(int64(987654)) }, peerboard.EINVALID, []string{"organization_id"}},
		{"common password, no name", asAdmin, func(a *peerboard.StaffAccount) { a.Name = ""; a.Password = "password123" }, peerboard.EINVALID, []string{"name", "password"}},
		{"bad email", asAdmin, func(a *peerboard.StaffAccount) { a.Email = "not an email" }, peerboard.EINVALID, []string{"email"}},
		{"reviewer may not", asReviewer, func(a *peerboard.StaffAccount) { a.Email = "y@h.example" }, peerboard.EFORBIDDEN, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.edit(&a)
			_, err := db.CreateStaffAccount(tt.ctx, a)
			pplWantCode(t, err, tt.code)
			for _, f := range tt.fields {
				if peerboard.ErrorFields(err)[f] == "" {
					t.Errorf("no error on %s: %v", f, peerboard.ErrorFields(err))
				}
			}
		})
	}
	if n := countRows(t, db, `SELECT count(*) FROM users`); n != 3 {
		t.Errorf("%d users, want 3: a refused account was stored", n)
	}

	// A reviewer's organization choice is dropped, not stored.
	r, err := db.CreateStaffAccount(asAdmin, peerboard.StaffAccount{Name: "Rob Reviewer", Email: "rob@board.example",
		Role: peerboard.RoleReviewer, OrganizationID: org, Password: "lantern orchard velvet"})
	if err != nil || r.OrganizationID != nil {
		t.Errorf("reviewer = %+v, %v; want no organization", r, err)
	}
}

func TestRecordDiscipline(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	today := postgres.DateOf(now)
	admin, asAdmin := pplAccount(t, db, peerboard.RoleAdmin, "Ada Admin", "admin@board.example", nil)
	_, asReviewer := pplAccount(t, db, peerboard.RoleReviewer, "Rae Reviewer", "rae@board.example", nil)
	credID := seedCredential(t, db, 7, today.AddDate(1, 0, 0))
	number := peerboard.FormatCredentialNumber("CPSRP", 7)
	version := func() int {
		return countRows(t, db, `SELECT version FROM credentials WHERE id = $1`, credID)
	}

	reprimand := peerboard.DisciplineAction{Action: "reprimand", PublicSummary: "  Reprimand for a boundary violation.  ", EffectiveOn: today}
	out, err := db.RecordDiscipline(asAdmin, credID, version(), reprimand, true)
	if err != nil || out.StatusChanged() || out.StatusNote != "" {
		t.Fatalf("reprimand = %+v, %v; want recorded without status change", out, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM discipline_actions WHERE id = $1 AND credential_id = $2 AND public
		AND public_summary = 'Reprimand for a boundary violation.' AND created_by = $3`, out.ID, credID, admin.ID); n != 1 {
		t.Error("reprimand row not stored as typed (trimmed, public, by the admin)")
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_events WHERE entity_type = 'credential' AND entity_id = $1
		AND action = 'credential.discipline_added' AND actor_id = $2 AND (after->>'discipline_action_id')::bigint = $3
		AND (after->>'public')::boolean`, credID, admin.ID, out.ID); n != 1 {
		t.Error("no audit event for the reprimand")
	}

	// The same form submitted again carries the old version: refused.
	_, err = db.RecordDiscipline(asAdmin, credID, version()-1, reprimand, true)
	pplWantCode(t, err, peerboard.ECONFLICT)

	private := peerboard.DisciplineAction{Action: "probation", PublicSummary: "Probation with supervision.",
		EffectiveOn: today, EndsOn: ptr(today.AddDate(0, 6, 0))}
	if _, err := db.RecordDiscipline(asAdmin, credID, version(), private, false); err != nil {
		t.Fatal(err)
	}
	pc, err := db.PublicCredentialByNumber(ctx, number)
	if err != nil || len(pc.Discipline) != 1 || pc.Discipline[0].Action != "reprimand" {
		t.Fatalf("public record = %+v, %v; want the public reprimand only", pc, err)
	}
	cd, err := db.DisciplineOfCredential(asAdmin, credID)
	if err != nil || len(cd.Actions) != 2 || cd.HolderName != "Holder 7" || cd.Number != number {
		t.Fatalf("DisciplineOfCredential = %+v, %v; want both actions", cd, err)
	}
	if a := cd.Actions[0]; a.Public || a.Action != "probation" || a.EndsOn == nil || a.CreatedByName != "Ada Admin" {
		t.Errorf("newest action = %+v; want the private probation by Ada Admin", a)
	}

	// A suspension effective later leaves the status alone, and says so.
	later := peerboard.DisciplineAction{Action: "suspension", PublicSummary: "Suspended for 90 days.", EffectiveOn: today.AddDate(0, 0, 10)}
	out, err = db.RecordDiscipline(asAdmin, credID, version(), later, true)
	if err != nil || out.StatusChanged() || !strings.Contains(out.StatusNote, "takes effect on") {
		t.Fatalf("future suspension = %+v, %v; want no status change and a note", out, err)
	}

	// A suspension in effect today suspends, mails the holder, and is audited.
	mails := countRows(t, db, `SELECT count(*) FROM mail_messages`)
	suspension := peerboard.DisciplineAction{Action: "suspension", PublicSummary: "Suspended for 90 days.", EffectiveOn: today,
		EndsOn: ptr(today.AddDate(0, 0, 90))}
	out, err = db.RecordDiscipline(asAdmin, credID, version(), suspension, true)
	if err != nil || out.From != peerboard.CredActive || out.To != peerboard.CredSuspended {
		t.Fatalf("suspension = %+v, %v; want active → suspended", out, err)
	}
	if pc, _ := db.PublicCredentialByNumber(ctx, number); pc.Status != "suspended" {
		t.Errorf("public status %q, want suspended", pc.Status)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'credential.status_changed'
		AND before->>'status' = 'active' AND after->>'status' = 'suspended' AND reason = 'Discipline: suspension'`, credID); n != 1 {
		t.Error("no audit event for the status change")
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages`); n != mails+1 {
		t.Errorf("%d mails queued, want 1", n-mails)
	}

	// Suspending a suspended credential records the action, keeps the status.
	out, err = db.RecordDiscipline(asAdmin, credID, version(), suspension, true)
	if err != nil || out.StatusChanged() || !strings.Contains(out.StatusNote, "already suspended") {
		t.Fatalf("second suspension = %+v, %v; want a note and no change", out, err)
	}

	long := strings.Repeat("x", peerboard.MaxDisciplineSummary+1)
	refusals := []struct {
		name  string
		ctx   context.Context
		id    int64
		d     peerboard.DisciplineAction
		code  string
		field string
	}{
		{"summary too long", asAdmin, credID, peerboard.DisciplineAction{Action: "reprimand", PublicSummary: long, EffectiveOn: today}, peerboard.EINVALID, "public_summary"},
		{"blank summary", asAdmin, credID, peerboard.DisciplineAction{Action: "reprimand", PublicSummary: "   ", EffectiveOn: today}, peerboard.EINVALID, "public_summary"},
		{"ends before effective", asAdmin, credID, peerboard.DisciplineAction{Action: "probation", PublicSummary: "s", EffectiveOn: today, EndsOn: ptr(today.AddDate(0, 0, -1))}, peerboard.EINVALID, "ends_on"},
		{"unknown action", asAdmin, credID, peerboard.DisciplineAction{Action: "dismissed", PublicSummary: "s", EffectiveOn: today}, peerboard.EINVALID, "action"},
		{"no effective date", asAdmin, credID, peerboard.DisciplineAction{Action: "reprimand", PublicSummary: "s"}, peerboard.EINVALID, "effective_on"},
		{"unknown credential", asAdmin, 999999, reprimand, peerboard.ENOTFOUND, ""},
		{"reviewer may not", asReviewer, credID, reprimand, peerboard.EFORBIDDEN, ""},
	}
	before := countRows(t, db, `SELECT count(*) FROM discipline_actions`)
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.RecordDiscipline(tt.ctx, tt.id, version(), tt.d, true)
			pplWantCode(t, err, tt.code)
			if tt.field != "" && peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("no error on %s: %v", tt.field, peerboard.ErrorFields(err))
			}
		})
	}
	if n := countRows(t, db, `SELECT count(*) FROM discipline_actions`); n != before {
		t.Errorf("%d actions stored by refused calls", n-before)
	}
}

func TestAddDisciplineActionForTheDemo(t *testing.T) {
	db := pgtest.New(t)
	_, asAdmin := pplAccount(t, db, peerboard.RoleAdmin, "Ada Admin", "admin@board.example", nil)
	credID := seedCredential(t, db, 9, postgres.DateOf(time.Now()).AddDate(1, 0, 0))
	err := db.AddDisciplineAction(asAdmin, credID, peerboard.DisciplineAction{Action: "reprimand",
		PublicSummary: "Reprimand.", EffectiveOn: db.Today()})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := db.PublicCredentialByNumber(context.Background(), peerboard.FormatCredentialNumber("CPSRP", 9))
	if err != nil || len(pc.Discipline) != 1 {
		t.Fatalf("public record = %+v, %v; want the reprimand", pc, err)
	}
}
