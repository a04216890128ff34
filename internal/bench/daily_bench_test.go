package bench_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/peerboard/peerboard/internal/bench"
	"github.com/peerboard/peerboard/internal/postgres"
)

// queryCounter counts every statement the pool sends: queries, each query
// of a batch, and COPYs.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.n.Add(1)
}
func (c *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
func (c *queryCounter) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

var daily struct {
	once    sync.Once
	err     error
	db      *postgres.DB
	counter *queryCounter
	day     time.Time
}

// dailySetup seeds its own database: the daily run changes statuses, which
// must not disturb the verification benchmarks' data.
func dailySetup(b *testing.B) {
	b.Helper()
	daily.once.Do(func() {
		ctx := context.Background()
		admin := os.Getenv("DATABASE_URL")
		if admin == "" {
			daily.err = fmt.Errorf("DATABASE_URL is not set: run `make bench`")
			return
		}
		name := fmt.Sprintf("peerboard_bench_%d", os.Getpid()+1<<22) // distinct from the shared seed's name
		extraDatabases = append(extraDatabases, name)
		url, err := createDatabase(admin, name)
		if err == nil {
			err = postgres.Migrate(url)
		}
		if err != nil {
			daily.err = err
			return
		}
		daily.counter = &queryCounter{}
		daily.db, daily.err = postgres.Open(ctx, url, func(c *pgxpool.Config) { c.ConnConfig.Tracer = daily.counter })
		if daily.err != nil {
			return
		}
		if daily.err = bench.Seed(ctx, daily.db.Pool, seedSize); daily.err != nil {
			return
		}
		// The first run catches up: a third of the seeded credentials are
		// past their expiry and many are inside a reminder window.
		daily.day = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		daily.counter.n.Store(0)
		start := time.Now()
		rep, err := daily.db.RunDaily(ctx, daily.day)
		if err != nil {
			daily.err = err
			return
		}
		fmt.Printf("daily run, catch-up over %d credentials: %v, %d queries; %d expired, %d flagged for reinstatement, %d reminders\n",
			seedSize, time.Since(start).Round(time.Millisecond), daily.counter.n.Load(),
			rep.Expired, rep.ReinstatementRequired, rep.Reminders)
	})
	if daily.err != nil {
		b.Fatal(daily.err)
	}
}

// BenchmarkDailyRun is the steady state: one run per following day over
// 100,000 credentials, each sending that day's reminders and expiring that
// day's lapses.
func BenchmarkDailyRun(b *testing.B) {
	dailySetup(b)
	ctx := context.Background()
	daily.counter.n.Store(0)
	var mails int
	b.ResetTimer()
	for range b.N {
		daily.day = daily.day.AddDate(0, 0, 1)
		rep, err := daily.db.RunDaily(ctx, daily.day)
		if err != nil {
			b.Fatal(err)
		}
		mails += rep.Reminders + rep.Expired
	}
	b.ReportMetric(float64(daily.counter.n.Load())/float64(b.N), "queries/op")
	b.ReportMetric(float64(mails)/float64(b.N), "mails/op")
}
