package postgres_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// cfgFixture is a fresh database and a context acting as a board admin.
type cfgFixture struct {
	t     *testing.T
	db    *postgres.DB
	ctx   context.Context
	admin *peerboard.User
}

func newCfgFixture(t *testing.T) *cfgFixture {
	t.Helper()
	db := pgtest.New(t)
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := &peerboard.User{Email: "admin@example.org", Name: "Admin", Role: peerboard.RoleAdmin, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	return &cfgFixture{t: t, db: db, ctx: peerboard.NewContextWithUser(context.Background(), admin), admin: admin}
}

func (f *cfgFixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// ncps is the national credential of DOMAIN.md: no grandparenting.
func ncps() peerboard.CredentialType {
	t := peerboard.DefaultCPSRP()
	t.Code, t.Name, t.NumberPrefix = "NCPS", "National Certified Peer Specialist", "NCPS"
	t.SupervisedHours, t.CEHoursPerCycle, t.CycleMonths = 3000, 20, 24
	t.GrandparentingEnabled, t.GrandparentingTrainingCutoff, t.GrandparentingApplyUntil = false, nil, nil
	t.ReminderDays = nil // stored as an empty list, not NULL
	return t
}

func cfgWantFieldError(t *testing.T, err error, field string) {
	t.Helper()
	if peerboard.ErrorCode(err) != peerboard.EINVALID || peerboard.ErrorFields(err)[field] == "" {
		t.Fatalf("err = %v (fields %v), want a field error on %s", err, peerboard.ErrorFields(err), field)
	}
}

func TestCreateCredentialType(t *testing.T) {
	f := newCfgFixture(t)
	nt := ncps()
	if err := f.db.CreateCredentialType(f.ctx, &nt); err != nil {
		t.Fatal(err)
	}
	if nt.ID == 0 || nt.Version != 1 {
		t.Fatalf("created %+v", nt)
	}
	got, err := f.db.CredentialTypeByCode(context.Background(), "NCPS")
	if err != nil {
		t.Fatal(err)
	}
	if got.SupervisedHours != 3000 || got.CEHoursPerCycle != 20 || got.ReminderDays == nil || len(got.ReminderDays) != 0 ||
		got.FeeApplicationCents != 15000 || got.GrandparentingEnabled {
		t.Errorf("stored %+v", got)
	}
	var after []byte
	err = f.db.Pool.QueryRow(context.Background(), `SELECT after FROM audit_events
		WHERE action = 'credential_type.created' AND entity_type = 'credential_type' AND entity_id = $1 AND actor_id = $2`,
		nt.ID, f.admin.ID).Scan(&after)
	if err != nil {
		t.Fatalf("no created audit event: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(after, &m); err != nil || m["code"] != "NCPS" || m["supervised_hours"] != float64(3000) {
		t.Errorf("audit after = %s", after)
	}

	t.Run("duplicate code and prefix are field errors", func(t *testing.T) {
		dup := ncps()
		dup.NumberPrefix = "NCPSX"
		cfgWantFieldError(t, f.db.CreateCredentialType(f.ctx, &dup), "code")
		dup = ncps()
		dup.Code = "NCPS2"
		cfgWantFieldError(t, f.db.CreateCredentialType(f.ctx, &dup), "number_prefix")
		if n := f.count(`SELECT count(*) FROM credential_types`); n != 2 {
			t.Errorf("%d types, want 2", n)
		}
	})
	t.Run("database rules stricter than Validate are field errors", func(t *testing.T) {
		long := ncps()
		long.Code, long.NumberPrefix = "ABCDEFGHIJKLMNOP", "ABCDEFGHIJ"
		cfgWantFieldError(t, f.db.CreateCredentialType(f.ctx, &long), "code")
	})
	t.Run("invalid settings store nothing", func(t *testing.T) {
		bad := ncps()
		bad.Code, bad.CEEthicsHours = "BAD", 30
		cfgWantFieldError(t, f.db.CreateCredentialType(f.ctx, &bad), "ce_ethics_hours")
		if n := f.count(`SELECT count(*) FROM credential_types WHERE code = 'BAD'`); n != 0 {
			t.Error("an invalid type was stored")
		}
	})
	t.Run("double submit stores one", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				d := ncps()
				d.Code, d.NumberPrefix = "TWICE", "TWICE"
				errs[i] = f.db.CreateCredentialType(f.ctx, &d)
			})
		}
		wg.Wait()
		if n := f.count(`SELECT count(*) FROM credential_types WHERE code = 'TWICE'`); n != 1 {
			t.Errorf("%d rows, want 1 (errors %v)", n, errs)
		}
	})
}

func TestUpdateCredentialType(t *testing.T) {
	f := newCfgFixture(t)
	cur, err := f.db.CredentialTypeByCode(context.Background(), "CPSRP")
	if err != nil {
		t.Fatal(err)
	}
	edit := *cur
	edit.CEHoursPerCycle, edit.FeeExamCents = 24, 17500
	changed, err := f.db.UpdateCredentialType(f.ctx, &edit)
	if err != nil || !changed {
		t.Fatalf("update: changed %v, %v", changed, err)
	}
	if edit.Version != cur.Version+1 {
		t.Errorf("version %d, want %d", edit.Version, cur.Version+1)
	}
	got, _ := f.db.CredentialTypeByID(context.Background(), cur.ID)
	if got.CEHoursPerCycle != 24 || got.FeeExamCents != 17500 || got.Version != edit.Version || !got.UpdatedAt.Equal(f.db.Now()) {
		t.Errorf("stored %+v", got)
	}
	var before, after []byte
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT before, after FROM audit_events
		WHERE action = 'credential_type.updated' AND entity_id = $1`, cur.ID).Scan(&before, &after); err != nil {
		t.Fatalf("no updated audit event: %v", err)
	}
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	if len(a) != 2 || a["ce_hours_per_cycle"] != float64(24) || b["ce_hours_per_cycle"] != float64(20) ||
		a["fee_exam_cents"] != float64(17500) || b["fee_exam_cents"] != float64(15000) {
		t.Errorf("audit before %s after %s, want only the two changed fields", before, after)
	}

	t.Run("stale version overwrites nothing", func(t *testing.T) {
		stale := *cur // still the first version
		stale.Name = "Overwritten"
		_, err := f.db.UpdateCredentialType(f.ctx, &stale)
		if err != postgres.ErrStaleCredentialType {
			t.Fatalf("err = %v, want ErrStaleCredentialType", err)
		}
		if n := f.count(`SELECT count(*) FROM credential_types WHERE name = 'Overwritten'`); n != 0 {
			t.Error("a stale form overwrote the type")
		}
	})
	t.Run("no change writes nothing", func(t *testing.T) {
		same, _ := f.db.CredentialTypeByID(context.Background(), cur.ID)
		v := same.Version
		changed, err := f.db.UpdateCredentialType(f.ctx, same)
		if err != nil || changed || same.Version != v {
			t.Errorf("changed %v, version %d, err %v", changed, same.Version, err)
		}
		if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'credential_type.updated'`); n != 1 {
			t.Errorf("%d update events, want 1", n)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		ghost := *cur
		ghost.ID = 9999
		if _, err := f.db.UpdateCredentialType(f.ctx, &ghost); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
	t.Run("code taken by another type", func(t *testing.T) {
		other := ncps()
		if err := f.db.CreateCredentialType(f.ctx, &other); err != nil {
			t.Fatal(err)
		}
		other.Code = "CPSRP"
		_, err := f.db.UpdateCredentialType(f.ctx, &other)
		cfgWantFieldError(t, err, "code")
	})
}

func TestPrefixFixedOnceIssued(t *testing.T) {
	f := newCfgFixture(t)
	cur, _ := f.db.CredentialTypeByCode(context.Background(), "CPSRP")

	// No credential yet: the prefix may change, and back.
	edit := *cur
	edit.NumberPrefix = "CTPS"
	if _, err := f.db.UpdateCredentialType(f.ctx, &edit); err != nil {
		t.Fatalf("prefix change before any issue: %v", err)
	}
	if issued, err := f.db.CredentialTypeHasCredentials(context.Background(), cur.ID); err != nil || issued {
		t.Fatalf("has credentials = %v, %v", issued, err)
	}
	u := &peerboard.User{Email: "holder@example.org", Name: "Holder", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(context.Background(), `INSERT INTO credentials (number, user_id, credential_type_id,
		first_name, last_name, issued_on, expires_on) VALUES ($1, $2, $3, 'H', 'Older', '2026-01-01', '2028-01-01')`,
		peerboard.FormatCredentialNumber("CTPS", 1), u.ID, cur.ID); err != nil {
		t.Fatal(err)
	}
	if issued, err := f.db.CredentialTypeHasCredentials(context.Background(), cur.ID); err != nil || !issued {
		t.Fatalf("has credentials = %v, %v", issued, err)
	}
	again := edit
	again.NumberPrefix = "CPSRP"
	_, err := f.db.UpdateCredentialType(f.ctx, &again)
	cfgWantFieldError(t, err, "number_prefix")
	got, _ := f.db.CredentialTypeByID(context.Background(), cur.ID)
	if got.NumberPrefix != "CTPS" || got.Version != edit.Version {
		t.Errorf("refused change stored: %+v", got)
	}
	// Other fields still change.
	again.NumberPrefix, again.GraceDays = "CTPS", 60
	if _, err := f.db.UpdateCredentialType(f.ctx, &again); err != nil {
		t.Errorf("other change refused: %v", err)
	}
}

func TestOrganizations(t *testing.T) {
	f := newCfgFixture(t)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := peerboard.Organization{Name: "  Recovery Academy ", ContactEmail: "office@academy.example", ApprovedFrom: &from}
	if err := f.db.CreateOrganization(f.ctx, &o); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.OrganizationByID(context.Background(), o.ID)
	if err != nil || got.Name != "Recovery Academy" || got.ApprovedUntil != nil || !got.ApprovedFrom.Equal(from) {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'organization.created' AND entity_id = $1
		AND after->>'name' = 'Recovery Academy'`, o.ID); n != 1 {
		t.Error("no organization.created event")
	}

	dup := peerboard.Organization{Name: "Recovery Academy"}
	cfgWantFieldError(t, f.db.CreateOrganization(f.ctx, &dup), "name")
	bad := peerboard.Organization{Name: "Backwards", ApprovedFrom: &from, ApprovedUntil: ptr(from.AddDate(0, 0, -1))}
	cfgWantFieldError(t, f.db.CreateOrganization(f.ctx, &bad), "approved_until")

	until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	edit := *got
	edit.ApprovedUntil = &until
	if changed, err := f.db.UpdateOrganization(f.ctx, &edit); err != nil || !changed {
		t.Fatalf("update: %v, %v", changed, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'organization.approval_changed' AND entity_id = $1
		AND before->'approved_until' = 'null' AND after->>'approved_until' = '2026-12-31' AND NOT after ? 'name'`, o.ID); n != 1 {
		t.Error("no approval_changed event with only the changed field")
	}
	edit.ContactEmail = "new@academy.example"
	if changed, err := f.db.UpdateOrganization(f.ctx, &edit); err != nil || !changed {
		t.Fatalf("update: %v, %v", changed, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'organization.updated' AND entity_id = $1`, o.ID); n != 1 {
		t.Error("no organization.updated event for a contact change")
	}
	if changed, err := f.db.UpdateOrganization(f.ctx, &edit); err != nil || changed {
		t.Errorf("unchanged save: %v, %v", changed, err)
	}
	other := peerboard.Organization{Name: "Bridge Trainers"}
	if err := f.db.CreateOrganization(f.ctx, &other); err != nil {
		t.Fatal(err)
	}
	other.Name = "Recovery Academy"
	_, err = f.db.UpdateOrganization(f.ctx, &other)
	cfgWantFieldError(t, err, "name")
	ghost := edit
	ghost.ID = 9999
	if _, err := f.db.UpdateOrganization(f.ctx, &ghost); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}

	// Keyset pages by name.
	for _, n := range []string{"Cedar", "Aspen", "Dogwood"} {
		if err := f.db.CreateOrganization(f.ctx, &peerboard.Organization{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := f.db.Organizations(context.Background(), "", 2)
	if err != nil || len(page) != 3 || page[0].Name != "Aspen" || page[1].Name != "Bridge Trainers" {
		t.Fatalf("first page %v, %v", page, err)
	}
	page, err = f.db.Organizations(context.Background(), page[1].Name, 2)
	if err != nil || len(page) != 3 || page[0].Name != "Cedar" || page[1].Name != "Dogwood" || page[2].Name != "Recovery Academy" {
		t.Fatalf("second page %v, %v", page, err)
	}
}
