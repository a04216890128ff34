package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/jobs"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

type recordingMailer struct {
	mu   sync.Mutex
	sent []string
}

func (m *recordingMailer) Send(_ context.Context, to, subject, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+": "+subject)
	return nil
}

func (m *recordingMailer) Via() string { return "test" }

func (m *recordingMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// The worker runs the daily job on start and delivers the reminders it
// queues, each once.
func TestWorkerRunsDailyAndDeliversMail(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	today := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return today }
	for i := 1; i <= 3; i++ {
		u := &peerboard.User{Email: fmt.Sprintf("h%d@example.org", i), Name: "H", Role: peerboard.RoleApplicant, PasswordHash: "x"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO credentials (number, user_id, credential_type_id, first_name, last_name, issued_on, expires_on)
			SELECT $1, $2, id, 'H', 'H', '2025-01-20', '2027-01-20' FROM credential_types WHERE code = 'CPSRP'`,
			peerboard.FormatCredentialNumber("CPSRP", int64(i)), u.ID); err != nil {
			t.Fatal(err)
		}
	}
	mailer := &recordingMailer{}
	client, err := jobs.New(db, mailer, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(context.Background()) }()

	// The mailer sees a message before its delivery commits: wait for the
	// database to record all three.
	sent := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_messages WHERE sent_at IS NOT NULL AND sent_via = 'test'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for sent() < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := sent(); n != 3 || mailer.count() != 3 {
		t.Fatalf("%d messages recorded as sent, %d delivered; want the 3 reminders: %v", n, mailer.count(), mailer.sent)
	}
	time.Sleep(200 * time.Millisecond)
	if mailer.count() != 3 {
		t.Errorf("delivered %d messages after settling, want 3 (never twice)", mailer.count())
	}
}
