package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// ceRecordsPerCredential × seedSize credentials = 1,000,000 CE records.
const ceRecordsPerCredential = 10

// ceEnv is the CE seed on top of the shared register, built on first use.
var ceEnv struct {
	once    sync.Once
	err     error
	orgID   int64
	trainer *peerboard.User
	holders [][]*http.Cookie // signed-in sessions of seeded holders
}

const ceHolderPassword = "bench holder passphrase 2026"

func ceSetup(b *testing.B) {
	b.Helper()
	setup(b)
	ceEnv.once.Do(func() { ceEnv.err = ceBuild(b) })
	if ceEnv.err != nil {
		b.Fatal(ceEnv.err)
	}
}

// ceBuild adds an approved organization with a trainer and 1,000,000 CE
// records (10 per credential, dated inside each credential's cycle, a third
// of them verified), with set-based SQL, then signs 20 holders in.
func ceBuild(b *testing.B) error {
	ctx := context.Background()
	db := env.db
	orgID, err := db.EnsureDemoOrganization(ctx, "Bench CE Provider", db.Today())
	if err != nil {
		return err
	}
	ceEnv.orgID = orgID
	ceEnv.trainer = &peerboard.User{Email: "bench-ce-trainer@bench.test", Name: "Bench CE Trainer",
		Role: peerboard.RoleTrainer, OrganizationID: &orgID, PasswordHash: "x"}
	if err := db.CreateUser(ctx, ceEnv.trainer); err != nil {
		return err
	}

	start := time.Now()
	tag, err := db.Pool.Exec(ctx, `
		INSERT INTO ce_activities (person_email, person_name, user_id, title, provider, activity_date, hours,
		                           category, source, organization_id, created_at)
		SELECT u.email, u.name, c.user_id, 'Seeded course ' || g,
		       CASE WHEN g % 3 = 0 THEN 'Bench CE Provider' ELSE 'Self-chosen provider ' || (g % 7) END,
		       c.expires_on - (g * 61 + c.id % 37)::int,
		       0.25 * (4 + (c.id + g) % 13),
		       (ARRAY['ethics','core_competencies','cultural_responsiveness','professional_development','other'])[1 + (c.id + g) % 5],
		       CASE WHEN g % 3 = 0 THEN 'verified' ELSE 'self_reported' END,
		       CASE WHEN g % 3 = 0 THEN $1::bigint END,
		       timestamptz '2025-01-01' + g * interval '1 day'
		FROM credentials c JOIN users u ON u.id = c.user_id
		CROSS JOIN generate_series(1, $2::int) AS g`, orgID, ceRecordsPerCredential)
	if err != nil {
		return fmt.Errorf("seed CE: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE ce_activities`); err != nil {
		return err
	}
	b.Logf("seeded %d CE records (set-based SQL, then ANALYZE) in %v", tag.RowsAffected(), time.Since(start).Round(time.Millisecond))

	var userID int64
	var expires time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT user_id, expires_on FROM credentials WHERE status = 'active' ORDER BY id LIMIT 1`).
		Scan(&userID, &expires); err != nil {
		return err
	}
	plans, err := db.ExplainCEQueries(ctx, userID, orgID, expires.AddDate(-2, 0, 0), expires)
	if err != nil {
		return err
	}
	for _, name := range []string{"CEOfUserBetween", "CEOfUser", "CEOfOrganization"} {
		b.Logf("plan of %s:\n%s", name, plans[name])
	}

	// Seeded holders have no usable password: give 20 active ones the same
	// hash (one argon2 run) and sign each in once.
	hash, err := peerboard.HashPassword(ceHolderPassword)
	if err != nil {
		return err
	}
	rows, err := db.Pool.Query(ctx, `
		UPDATE users SET password_hash = $1
		WHERE id IN (SELECT user_id FROM credentials WHERE status = 'active' ORDER BY random() LIMIT 20)
		RETURNING email`, hash)
	if err != nil {
		return err
	}
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		emails = append(emails, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range emails {
		form := url.Values{"email": {e}, "password": {ceHolderPassword}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		env.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			return fmt.Errorf("holder sign-in %s: status %d", e, rec.Code)
		}
		ceEnv.holders = append(ceEnv.holders, rec.Result().Cookies())
	}
	return nil
}

// ceRoster builds a roster of n rows for run: half the emails are seeded
// holders (attached by the join), half are not registered.
func ceRoster(run, n int, day time.Time) []byte {
	var sb strings.Builder
	sb.Grow(n * 90)
	sb.WriteString("email,name,title,date,hours,category\n")
	cats := peerboard.AllCECategories()
	for i := range n {
		email := fmt.Sprintf("holder%d@bench.test", 1+(run*n+i)%seedSize)
		if i%2 == 1 {
			email = fmt.Sprintf("walkin%d.%d@bench.test", run, i)
		}
		fmt.Fprintf(&sb, "%s,Person %d,Roster %d workshop,%s,%s,%s\n", email, i, run,
			day.AddDate(0, 0, -(i%300)).Format(time.DateOnly), peerboard.FormatHours(0.25*float64(1+i%24)), cats[i%len(cats)])
	}
	return []byte(sb.String())
}

// BenchmarkCERosterImport10k is a training organization posting a
// 10,000-row CE roster through the repository: validation of the whole
// file, COPY into a temporary table and one INSERT … SELECT … ON CONFLICT
// that attaches accounts by email. Each iteration posts a new roster.
// Target: under 2 s per roster. Run it with a small -benchtime (e.g. 5x).
func BenchmarkCERosterImport10k(b *testing.B) {
	ceSetup(b)
	ctx := peerboard.NewContextWithUser(context.Background(), ceEnv.trainer)
	day := env.db.Today().AddDate(0, 0, -1)
	var lastNew int
	run := 0
	for b.Loop() {
		b.StopTimer()
		data := ceRoster(run, 10_000, day)
		run++
		b.StartTimer()
		rep, err := env.db.ImportCERoster(ctx, ceEnv.orgID, "bench.csv", data)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Errors) > 0 {
			b.Fatalf("roster refused: %+v", rep.Errors[:min(3, len(rep.Errors))])
		}
		lastNew = rep.New
	}
	if lastNew != 10_000 {
		b.Errorf("last roster added %d records, want 10000", lastNew)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/roster")
}

// BenchmarkHolderCEProgress is a signed-in holder opening GET /ce: the
// current cycle's progress against the requirement and the first page of
// activities, over 1,000,000 CE records.
func BenchmarkHolderCEProgress(b *testing.B) { holderGet(b, "/ce") }

// BenchmarkHolderDashboard is a signed-in holder opening GET /dashboard:
// applications, credentials with each cycle's CE progress, renewals and
// exam authorizations.
func BenchmarkHolderDashboard(b *testing.B) { holderGet(b, "/dashboard") }

func holderGet(b *testing.B, path string) {
	ceSetup(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for _, c := range ceEnv.holders[i%len(ceEnv.holders)] {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		env.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d: %.300s", path, rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
