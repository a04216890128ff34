package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/bench"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
	"github.com/peerboard/peerboard/internal/server"
)

// seedSize is the register the benchmarks run against: 100,000 holders,
// each with an application and a credential.
const seedSize = 100_000

const reviewerEmail = "bench-reviewer@bench.test"
const reviewerPassword = "bench reviewer passphrase 2026"

// env is the one seeded database and router every benchmark shares; it is
// built on first use so `go test` without -bench never pays for it.
var env struct {
	once    sync.Once
	err     error
	dbName  string
	adminDB string // DATABASE_URL, to drop the database at the end
	db      *postgres.DB
	handler http.Handler
	numbers []string
	names   [][2]string
	cookies []*http.Cookie
}

// extraDatabases are databases other benchmarks created for themselves.
var extraDatabases []string

func TestMain(m *testing.M) {
	code := m.Run()
	if env.db != nil {
		env.db.Close()
		if err := dropDatabase(env.adminDB, env.dbName); err != nil {
			fmt.Fprintln(os.Stderr, "drop benchmark database:", err)
		}
	}
	for _, name := range extraDatabases {
		if err := dropDatabase(os.Getenv("DATABASE_URL"), name); err != nil {
			fmt.Fprintln(os.Stderr, "drop benchmark database:", err)
		}
	}
	os.Exit(code)
}

// setup creates a fresh database (a pgtest database would be dropped by
// the first benchmark's cleanup, and every benchmark must share the one
// seed), migrates and seeds it, and signs a reviewer in once.
func setup(b *testing.B) {
	b.Helper()
	env.once.Do(func() { env.err = build(b) })
	if env.err != nil {
		b.Fatal(env.err)
	}
}

func build(b *testing.B) error {
	ctx := context.Background()
	env.adminDB = os.Getenv("DATABASE_URL")
	if env.adminDB == "" {
		return fmt.Errorf("DATABASE_URL is not set: run `make bench`, which starts a private PostgreSQL")
	}
	env.dbName = fmt.Sprintf("peerboard_bench_%d", os.Getpid())
	start := time.Now()
	if err := dropStale(env.adminDB); err != nil {
		return err
	}
	dbURL, err := createDatabase(env.adminDB, env.dbName)
	if err != nil {
		return err
	}
	if err := postgres.Migrate(dbURL); err != nil {
		return err
	}
	env.db, err = postgres.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	migrated := time.Now()
	if err := bench.Seed(ctx, env.db.Pool, seedSize); err != nil {
		return err
	}
	b.Logf("seeded %d credentials, %d applications and %d users (set-based SQL, then ANALYZE) in %v; database created and migrated in %v",
		seedSize, seedSize, seedSize, time.Since(migrated).Round(time.Millisecond), migrated.Sub(start).Round(time.Millisecond))

	env.numbers, env.names, err = bench.Sample(ctx, env.db.Pool, 5000)
	if err != nil {
		return err
	}
	// The plans, so the output shows every query on these paths reads an
	// index; printed directly because benchmark logs are cut at ten lines.
	plan, err := env.db.ExplainVerification(ctx, env.numbers[0], env.names[0][0], env.names[0][1])
	if err != nil {
		return err
	}
	fmt.Printf("verification plans (by number, then by name):\n%s\n\n", plan)
	plan, err = env.db.ExplainReviewQueue(ctx, postgres.QueueFilter{})
	if err != nil {
		return err
	}
	fmt.Printf("reviewer queue plan (default filter):\n%s\n\n", plan)
	hash, err := peerboard.HashPassword(reviewerPassword)
	if err != nil {
		return err
	}
	if err := env.db.CreateUser(ctx, &peerboard.User{Email: reviewerEmail, Name: "Bench Reviewer",
		Role: peerboard.RoleReviewer, PasswordHash: hash}); err != nil {
		return err
	}

	cfg := server.DefaultConfig("http://peerboard.test")
	cfg.VerifyRequestsPerMinute = 1 << 30 // measure the lookup, not the limiter's refusals
	env.handler = server.New(cfg, env.db, slog.New(slog.NewJSONHandler(io.Discard, nil))).Handler()

	form := url.Values{"email": {reviewerEmail}, "password": {reviewerPassword}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		return fmt.Errorf("reviewer sign-in: status %d", rec.Code)
	}
	env.cookies = rec.Result().Cookies()
	return nil
}

func createDatabase(adminURL, name string) (string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to create the benchmark database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create benchmark database: %w", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropStale drops the databases of earlier benchmark runs that were killed
// before TestMain could drop them: their process no longer exists.
func dropStale(adminURL string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname ~ '^peerboard_bench_[0-9]+$'`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		pid, _ := strconv.Atoi(strings.TrimPrefix(name, "peerboard_bench_"))
		if syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // a live run (or one we may not signal): leave it alone
		}
		// Without FORCE: a database someone is still connected to stays.
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	}
	return nil
}

func dropDatabase(adminURL, name string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// get serves one GET through the whole portal and fails on any status but 200.
func get(b *testing.B, path string, signedIn bool) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if signedIn {
		for _, c := range env.cookies {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		body := rec.Body.String()
		b.Fatalf("GET %s: status %d: %.300s", path, rec.Code, body)
	}
}

// run measures path(i) for b.N requests and reports requests per second.
func run(b *testing.B, signedIn bool, path func(i int) string) {
	setup(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		get(b, path(i), signedIn)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// runParallel is run with concurrent clients, for throughput.
func runParallel(b *testing.B, path func(i int) string) {
	setup(b)
	b.ReportAllocs()
	var mu sync.Mutex
	next := 0
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			get(b, path(i), false)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func numberPath(prefix string) func(int) string {
	return func(i int) string { return prefix + env.numbers[i%len(env.numbers)] }
}

// BenchmarkVerifyPage is an employer opening a credential's permalink.
func BenchmarkVerifyPage(b *testing.B) { run(b, false, numberPath("/verify/")) }

// BenchmarkVerifyAPI is a system asking the JSON API for a credential.
func BenchmarkVerifyAPI(b *testing.B) { run(b, false, numberPath("/api/v1/credentials/")) }

// BenchmarkVerifyNameSearch is an employer searching by first and last name.
func BenchmarkVerifyNameSearch(b *testing.B) {
	run(b, false, func(i int) string {
		n := env.names[i%len(env.names)]
		return "/verify?" + url.Values{"first": {n[0]}, "last": {n[1]}}.Encode()
	})
}

// BenchmarkVerifyPageParallel is the permalink under concurrent clients.
func BenchmarkVerifyPageParallel(b *testing.B) { runParallel(b, numberPath("/verify/")) }

// BenchmarkVerifyAPIParallel is the API under concurrent clients.
func BenchmarkVerifyAPIParallel(b *testing.B) { runParallel(b, numberPath("/api/v1/credentials/")) }

// BenchmarkReviewerQueue is a signed-in reviewer opening the case queue
// (30,000 waiting cases in the seed).
func BenchmarkReviewerQueue(b *testing.B) {
	run(b, true, func(int) string { return "/review" })
}

// TestSeed runs the seed at a small size so `make test` catches a broken
// seed long before anyone runs the benchmarks.
func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if err := bench.Seed(ctx, db.Pool, 500); err != nil {
		t.Fatal(err)
	}
	// A second seed on top must work too: ids and numbers continue.
	if err := bench.Seed(ctx, db.Pool, 100); err != nil {
		t.Fatal(err)
	}
	var users, apps, creds, queue, public, private, badNumbers int
	err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM applications),
		(SELECT count(*) FROM credentials),
		(SELECT count(*) FROM applications WHERE status IN ('submitted', 'under_review', 'resubmitted')),
		(SELECT count(*) FROM discipline_actions WHERE public), (SELECT count(*) FROM discipline_actions WHERE NOT public),
		(SELECT count(*) FROM credentials WHERE number !~ '^CPSRP-[0-9]{6,}-[0-9A-Z]$')`).
		Scan(&users, &apps, &creds, &queue, &public, &private, &badNumbers)
	if err != nil {
		t.Fatal(err)
	}
	if users != 600 || apps != 600 || creds != 600 || queue != 180 || public == 0 || private == 0 || badNumbers != 0 {
		t.Errorf("users %d, applications %d, credentials %d, queue %d, public discipline %d, private %d, bad numbers %d",
			users, apps, creds, queue, public, private, badNumbers)
	}
	numbers, names, err := bench.Sample(ctx, db.Pool, 10)
	if err != nil || len(numbers) != 10 || len(names) != 10 {
		t.Fatalf("sample: %d numbers, %d names, %v", len(numbers), len(names), err)
	}
	for _, n := range numbers {
		if _, err := peerboard.NormalizeCredentialNumber(n); err != nil {
			t.Errorf("seeded number %s is not valid", n)
		}
	}
	// The seeded ids leave the sequences ready for ordinary inserts.
	if err := db.CreateUser(ctx, &peerboard.User{Email: "after-seed@bench.test", Name: "After", Role: peerboard.RoleApplicant, PasswordHash: "x"}); err != nil {
		t.Errorf("insert after seed: %v", err)
	}
}
