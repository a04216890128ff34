package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/peerboard/peerboard/migrations"
)

// Migrate brings the schema at url up to date. golang-migrate holds an
// advisory lock, so two instances starting together do not race. A dirty
// schema (a migration that failed half-way) stops it with a clear message.
func Migrate(url string) (err error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return fmt.Errorf("read embedded migrations: %w", err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, migrateURL(url))
	if err != nil {
		return fmt.Errorf("open migrations: %w", err)
	}
	// Close releases the connection: a template database with a session open cannot be cloned.
	defer func() {
		srcErr, dbErr := m.Close()
		if err == nil {
			err = errors.Join(srcErr, dbErr)
		}
	}()
	if v, dirty, verr := m.Version(); verr == nil && dirty {
		return fmt.Errorf("the schema is dirty at version %d: a migration failed part-way; repair it by hand, then run `migrate -database URL force %d` with the last good version", v, v-1)
	}
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate up: %w", err)
	}
	return migrateRiver(url)
}

// migrateRiver installs or upgrades the job queue's tables with River's own
// migrator, which knows its schema history; our migrations own the rest.
func migrateRiver(url string) error {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("connect for job queue migration: %w", err)
	}
	defer pool.Close()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("job queue migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// migrateURL gives golang-migrate's pgx/v5 driver the only scheme it accepts.
func migrateURL(url string) string {
	for _, p := range []string{"postgresql://", "postgres://"} {
		if strings.HasPrefix(url, p) {
			return "pgx5://" + strings.TrimPrefix(url, p)
		}
	}
	return url
}
