package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

func envWith(url string) func(string) string {
	return func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
}

// A board bootstraps its first admin from the command line, the password on stdin.
func TestUserCreateCommand(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
	}{
		{"admin", []string{"--email", "Chair@Board.example", "--name", "Board Chair", "--role", "admin"}, "a long and unusual passphrase\n", ""},
		{"same email again", []string{"--email", "chair@board.example", "--name", "Other", "--role", "admin"}, "another long passphrase\n", "already exists"},
		{"unknown role", []string{"--email", "x@board.example", "--name", "X", "--role", "root"}, "a long and unusual passphrase\n", "--role"},
		{"bad email", []string{"--email", "not-an-email", "--name", "X", "--role", "reviewer"}, "a long and unusual passphrase\n", "not a valid address"},
		{"common password", []string{"--email", "y@board.example", "--name", "Y", "--role", "reviewer"}, "password123\n", "too common"},
		{"trainer without organization", []string{"--email", "z@board.example", "--name", "Z", "--role", "trainer"}, "a long and unusual passphrase\n", "--org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(ctx, append([]string{"user", "create"}, tt.args...), envWith(url), strings.NewReader(tt.stdin), &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("run: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("run: %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, "chair@board.example")
	if err != nil || u.Role != peerboard.RoleAdmin || !u.EmailVerified() || !peerboard.CheckPassword("a long and unusual passphrase", u.PasswordHash) {
		t.Fatalf("created admin = %+v, %v; want a confirmed admin whose password is the stdin line", u, err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d users, want only the admin (refused commands store nothing)", n)
	}
}

func TestMigrateAndHelp(t *testing.T) {
	url := pgtest.URL(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, envWith(url), nil, &out); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Errorf("migrate: %v, %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), nil, envWith(""), nil, &out); err != nil || !strings.Contains(out.String(), "peerboard serve") {
		t.Errorf("help: %v, %q", err, out.String())
	}
	if err := run(context.Background(), []string{"serve"}, envWith(""), nil, &out); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("serve without DATABASE_URL: %v, want a clear error", err)
	}
	badTZ := func(k string) string {
		if k == "BOARD_TIMEZONE" {
			return "Mars/Olympus_Mons"
		}
		return envWith(url)(k)
	}
	if err := run(context.Background(), []string{"migrate"}, badTZ, nil, &out); err == nil || !strings.Contains(err.Error(), "BOARD_TIMEZONE") {
		t.Errorf("unknown time zone: %v, want a clear error", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, envWith(url), nil, &out); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}
