// Package jobs runs peerboard's background work on River, a durable job
// queue in the same PostgreSQL: mail delivery and the daily lifecycle run
// (reminders, expiry, grace). Jobs are inserted by the postgres package in
// the transaction of the change that causes them.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/peerboard/peerboard/internal/postgres"
)

// DailyArgs is the periodic lifecycle run.
type DailyArgs struct{}

// Kind names the job for River.
func (DailyArgs) Kind() string { return "daily_lifecycle" }

// InsertOpts keeps one pending daily run at a time, whichever instance schedules it.
func (DailyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type dailyWorker struct {
	river.WorkerDefaults[DailyArgs]
	db  *postgres.DB
	log *slog.Logger
}

func (w *dailyWorker) Work(ctx context.Context, _ *river.Job[DailyArgs]) error {
	rep, err := w.db.RunDaily(ctx, w.db.Today())
	if err != nil {
		return err
	}
	w.log.InfoContext(ctx, "daily lifecycle run", "expired", rep.Expired, "abandoned", rep.Abandoned, "renewals_closed", rep.RenewalsClosed,
		"reinstatement_required", rep.ReinstatementRequired, "reminders", rep.Reminders)
	return nil
}

type mailWorker struct {
	river.WorkerDefaults[postgres.SendMailArgs]
	db     *postgres.DB
	mailer Mailer
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[postgres.SendMailArgs]) error {
	return w.db.DeliverMail(ctx, job.Args.MessageID, func(m postgres.MailMessage) (string, error) {
		return w.mailer.Via(), w.mailer.Send(ctx, m.To, m.Subject, m.Body)
	})
}

// New returns a River client that works mail and runs the lifecycle hourly
// (each run acts as of today, so a missed hour or day catches up). River
// elects one leader among instances to schedule periodic jobs.
func New(db *postgres.DB, mailer Mailer, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &dailyWorker{db: db, log: log})
	river.AddWorker(workers, &mailWorker{db: db, mailer: mailer})
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		// River reports routine progress at info level every few seconds; keep warnings and errors.
		Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn}),
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			"mail":             {MaxWorkers: 4},
		},
		Workers: workers,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return DailyArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "daily_lifecycle"}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	return c, nil
}

// minLevel drops records below a level, for a chatty library's logger.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
