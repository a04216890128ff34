// Package pgtest gives each test its own PostgreSQL database, cloned from a
// migrated template so it is fast and isolated.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/migrations"
)

// New returns a connection to a fresh, migrated database that is dropped
// when the test passes. DATABASE_URL names the server (make test sets it);
// a missing one fails the test rather than skipping it.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	conf := pgtestdb.Custom(t, serverConfig(t), migrator{})
	db, err := postgres.Open(context.Background(), conf.URL())
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// URL returns a connection URL for a fresh, migrated database, for tests
// that start the whole program.
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, serverConfig(t), migrator{}).URL()
}

func serverConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := os.Getenv("DATABASE_URL")
	if raw == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL")
	}
	pc, err := pgconn.ParseConfig(raw)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	c := pgtestdb.Config{
		DriverName: "pgx",
		User:       pc.User,
		Password:   pc.Password,
		Port:       strconv.Itoa(int(pc.Port)),
		Options:    "sslmode=disable",
	}
	// pgtestdb builds a URL from host:port; a Unix socket directory goes in the query instead.
	if strings.HasPrefix(pc.Host, "/") {
		c.Options += "&host=" + url.QueryEscape(pc.Host)
	} else {
		c.Host = pc.Host
	}
	return c
}

// migrator runs the embedded migrations once per distinct set of files.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	// River's own migrations come with its module version.
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/riverqueue/river" {
				h.Write([]byte(d.Version))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

func (migrator) Migrate(_ context.Context, _ *sql.DB, c pgtestdb.Config) error {
	return postgres.Migrate(c.URL())
}
