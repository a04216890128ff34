// Package postgres implements peerboard's storage on PostgreSQL with pgx.
// Exported methods open their own transaction; lowercase helpers take a
// pgx.Tx so several changes and their audit events commit together.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// DB is the connection pool and the clock every repository method reads "now" from.
type DB struct {
	Pool *pgxpool.Pool
	// Now is injected so tests (and `jobs run --now`) can move time.
	Now func() time.Time
	// BaseURL is the portal's public address, for links in mail.
	BaseURL string
	// Location is the board's time zone: it decides what "today" is for
	// expiry, grace and deadlines. UTC when nil.
	Location *time.Location
	// jobs inserts River jobs inside our transactions; it works none itself.
	jobs *river.Client[pgx.Tx]
}

// Open connects to the database at url and checks that it answers. Options
// adjust the pool's configuration, e.g. a query tracer in benchmarks.
func Open(ctx context.Context, url string, options ...func(*pgxpool.Config)) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	for _, o := range options {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job client: %w", err)
	}
	return &DB{Pool: pool, Now: time.Now, BaseURL: "http://localhost:8080", jobs: jobs}, nil
}

// Close releases the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping reports whether the database answers; used by /readyz.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Today is the current date on the board's calendar (its Location), as
// midnight UTC like every date the domain compares.
func (db *DB) Today() time.Time {
	now := db.Now()
	if db.Location != nil {
		now = now.In(db.Location)
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DateOf truncates t to its UTC calendar date.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Transact runs fn in a transaction, committing if it returns nil and
// rolling back on error or panic.
func (db *DB) Transact(ctx context.Context, fn func(pgx.Tx) error) (err error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(ctx)
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// mapError turns constraint violations and missing rows into domain errors;
// everything else passes through to be logged as internal.
func mapError(err error, what string) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return peerboard.Errorf(peerboard.ENOTFOUND, "%s not found.", what)
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return peerboard.Errorf(peerboard.ECONFLICT, "%s already exists.", what)
	case errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "22001" || pgErr.Code == "22P02"):
		return peerboard.Errorf(peerboard.EINVALID, "Some of the %s details are not valid.", what)
	}
	return err
}
