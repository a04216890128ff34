package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/bench"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// insertHolder stores a user and a credential for them with plain SQL and
// returns the credential number.
func insertHolder(t *testing.T, db *postgres.DB, first, last, status string, family bool) string {
	t.Helper()
	ctx := context.Background()
	var seq int64
	if err := db.Pool.QueryRow(ctx, `SELECT nextval('credential_number_seq')`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	number := peerboard.FormatCredentialNumber("CPSRP", seq)
	_, err := db.Pool.Exec(ctx, `
		WITH u AS (INSERT INTO users (email, name, password_hash, role)
		           VALUES ($1 || '@example.org', $2 || ' ' || $3, 'x', 'applicant') RETURNING id)
		INSERT INTO credentials (number, user_id, credential_type_id, status, first_name, last_name,
		                         family_modifier, issued_on, expires_on, updated_at)
		SELECT $1, u.id, t.id, $4, $2, $3, $5, '2026-01-10', '2028-01-10', '2026-01-10 08:00+00'
		FROM u, credential_types t WHERE t.code = 'CPSRP'`, number, first, last, status, family)
	if err != nil {
		t.Fatalf("insert holder: %v", err)
	}
	return number
}

func addDiscipline(t *testing.T, db *postgres.DB, number, action string, public bool, effective, ends, created string) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `
		INSERT INTO discipline_actions (credential_id, action, public_summary, effective_on, ends_on, public, created_at)
		SELECT id, $2, 'Summary of ' || $2, $3::date, nullif($4, '')::date, $5, $6::timestamptz
		FROM credentials WHERE number = $1`, number, action, effective, ends, public, created)
	if err != nil {
		t.Fatalf("insert discipline: %v", err)
	}
}

func TestPublicCredentialByNumber(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	number := insertHolder(t, db, "Lena", "Ortiz", "suspended", true)
	addDiscipline(t, db, number, "reprimand", true, "2026-02-01", "", "2026-02-02 09:00+00")
	addDiscipline(t, db, number, "suspension", true, "2026-04-01", "2026-10-01", "2026-04-02 09:00+00")
	addDiscipline(t, db, number, "probation", false, "2026-05-01", "", "2026-05-02 09:00+00")
	plain := insertHolder(t, db, "Omar", "Haddad", "active", false)

	got, err := db.PublicCredentialByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	want := peerboard.PublicCredential{
		Name: "Lena Ortiz", CredentialType: "Certified Peer Support & Recovery Professional", CredentialTypeCode: "CPSRP",
		Number: number, Status: "suspended", StatusLabel: "Suspended: may not practice", HL7Status: "inactive",
		FamilyModifier: true, IssuedOn: "2026-01-10", ExpiresOn: "2028-01-10",
		// Newest first; the private probation is left out, and so is its later created_at.
		Discipline: []peerboard.PublicDiscipline{
			{Action: "suspension", Summary: "Summary of suspension", EffectiveOn: "2026-04-01", EndsOn: "2026-10-01"},
			{Action: "reprimand", Summary: "Summary of reprimand", EffectiveOn: "2026-02-01"},
		},
		LastUpdated: time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC),
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("got  %s\nwant %s", g, w)
	}

	got, err = db.PublicCredentialByNumber(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if got.Discipline == nil || len(got.Discipline) != 0 || !got.LastUpdated.Equal(time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("no discipline: got discipline %#v, last updated %v", got.Discipline, got.LastUpdated)
	}

	unknown := peerboard.FormatCredentialNumber("CPSRP", 777777)
	_, err = db.PublicCredentialByNumber(ctx, unknown)
	if peerboard.ErrorCode(err) != peerboard.ENOTFOUND || peerboard.ErrorMessage(err) != "No credential with number "+unknown {
		t.Errorf("unknown number: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPublicCredentialsByName(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	var lees []string
	for range 3 {
		lees = append(lees, insertHolder(t, db, "Sam", "Lee", "active", false))
	}
	insertHolder(t, db, "Samuel", "Lee", "active", false)
	insertHolder(t, db, "Sam", "Leeds", "active", false)
	addDiscipline(t, db, lees[1], "reprimand", true, "2026-02-01", "", "2026-02-02 09:00+00")

	tests := []struct {
		name, first, last, after string
		limit                    int
		want                     []string
		more                     bool
	}{
		{"all, case-insensitive", "SAM", "lee", "", 50, lees, false},
		{"first page", "Sam", "Lee", "", 2, lees[:2], true},
		{"second page", "Sam", "Lee", lees[1], 2, lees[2:], false},
		{"no match", "Nobody", "Lee", "", 50, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more, err := db.PublicCredentialsByName(ctx, tt.first, tt.last, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var numbers []string
			for _, c := range got {
				numbers = append(numbers, c.Number)
				if wantD := c.Number == lees[1]; (len(c.Discipline) == 1) != wantD {
					t.Errorf("%s: discipline %v", c.Number, c.Discipline)
				}
			}
			if strings.Join(numbers, ",") != strings.Join(tt.want, ",") || more != tt.more {
				t.Errorf("got %v more=%v, want %v more=%v", numbers, more, tt.want, tt.more)
			}
		})
	}
}

// TestVerificationQueriesUseIndexes is the proof that verification never
// scans the credentials or discipline tables: it plans both queries over
// 20,000 seeded holders (analyzed) and fails on any Seq Scan of them.
func TestVerificationQueriesUseIndexes(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if err := bench.Seed(ctx, db.Pool, 20000); err != nil {
		t.Fatal(err)
	}
	numbers, names, err := bench.Sample(ctx, db.Pool, 1)
	if err != nil || len(numbers) == 0 || len(names) == 0 {
		t.Fatalf("sample: %v", err)
	}
	queries := []struct {
		name string
		sql  string
		args []any
	}{
		{"by number", postgres.VerifyByNumberSQL, []any{numbers[0]}},
		{"by name", postgres.VerifyByNameSQL, []any{names[0][1], names[0][0], "", 51}},
		{"by name, next page", postgres.VerifyByNameSQL, []any{names[0][1], names[0][0], numbers[0], 51}},
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			var plan []byte
			if err := db.Pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+q.sql, q.args...).Scan(&plan); err != nil {
				t.Fatal(err)
			}
			var nodes []map[string]any
			if err := json.Unmarshal(plan, &nodes); err != nil {
				t.Fatal(err)
			}
			var scans []string
			walkPlan(nodes[0]["Plan"].(map[string]any), func(n map[string]any) {
				if n["Node Type"] == "Seq Scan" {
					scans = append(scans, n["Relation Name"].(string))
				}
			})
			for _, rel := range scans {
				if rel == "credentials" || rel == "discipline_actions" {
					t.Errorf("Seq Scan on %s", rel)
				}
			}
			var text string
			rows, err := db.Pool.Query(ctx, "EXPLAIN "+q.sql, q.args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				text += line + "\n"
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("plan:\n%s", text)
			}
		})
	}
}

func walkPlan(n map[string]any, visit func(map[string]any)) {
	visit(n)
	children, _ := n["Plans"].([]any)
	for _, c := range children {
		walkPlan(c.(map[string]any), visit)
	}
}
