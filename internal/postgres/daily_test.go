package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedCredential stores a holder and an active CPSRP credential expiring on expires.
func seedCredential(t *testing.T, db *postgres.DB, n int, expires time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	u := &peerboard.User{Email: fmt.Sprintf("holder%d@example.org", n), Name: fmt.Sprintf("Holder %d", n),
		Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var id int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO credentials (number, user_id, credential_type_id, status,
		first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, 'active', 'Holder', $3, $4::date - interval '2 years', $4 FROM credential_types WHERE code = 'CPSRP'
		RETURNING id`, peerboard.FormatCredentialNumber("CPSRP", int64(n)), u.ID, fmt.Sprint(n), expires).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func countRows(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunDailyRemindersOncePerThreshold(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	today := day("2027-01-01")
	seedCredential(t, db, 1, today.AddDate(0, 0, 100)) // no reminder yet
	seedCredential(t, db, 2, today.AddDate(0, 0, 85))  // 90-day reminder
	seedCredential(t, db, 3, today.AddDate(0, 0, 20))  // 30 (with 90 and 60 recorded, not mailed)

	rep, err := db.RunDaily(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Reminders != 2 {
		t.Errorf("first run sent %d reminders, want 2", rep.Reminders)
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages WHERE kind = 'reminder'`); n != 2 {
		t.Errorf("%d reminder messages stored, want 2", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages WHERE subject LIKE '%expires in 20 days%'`); n != 1 {
		t.Errorf("the 20-days-left holder got %d messages saying so, want 1", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM river_job WHERE kind = 'send_mail'`); n != 2 {
		t.Errorf("%d mail jobs queued, want 2", n)
	}

	rep, err = db.RunDaily(ctx, today)
	if err != nil || rep.Reminders != 0 {
		t.Errorf("second run the same day: %d reminders, %v; want none", rep.Reminders, err)
	}

	// Thirty-one days later the first holder is inside 90 and the second inside 60.
	rep, err = db.RunDaily(ctx, today.AddDate(0, 0, 31))
	if err != nil || rep.Reminders != 2 {
		t.Errorf("a month later: %d reminders, %v; want 2", rep.Reminders, err)
	}
}

func TestRunDailyConcurrentRunsSendEachReminderOnce(t *testing.T) {
	db := pgtest.New(t)
	today := day("2027-01-01")
	for i := 1; i <= 40; i++ {
		seedCredential(t, db, i, today.AddDate(0, 0, 5+i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.RunDaily(context.Background(), today)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages WHERE kind = 'reminder'`); n != 40 {
		t.Errorf("%d reminders sent by two concurrent runs, want exactly 40", n)
	}
}

func TestRunDailyExpiresAndFlagsReinstatement(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	today := day("2027-06-01")
	inGrace := seedCredential(t, db, 1, today.AddDate(0, 0, -10))
	pastGrace := seedCredential(t, db, 2, today.AddDate(0, 0, -120))
	active := seedCredential(t, db, 3, today) // valid through its expiry date
	paused := seedCredential(t, db, 4, today.AddDate(0, 0, -1))
	if _, err := db.Pool.Exec(ctx, `UPDATE credentials SET status = 'inactive' WHERE id = $1`, paused); err != nil {
		t.Fatal(err)
	}

	rep, err := db.RunDaily(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Expired != 3 || rep.ReinstatementRequired != 1 {
		t.Errorf("report %+v, want 3 expired (one of them inactive) and 1 flagged for reinstatement", rep)
	}
	status := func(id int64) (s string, flagged bool) {
		t.Helper()
		if err := db.Pool.QueryRow(ctx, `SELECT status, reinstatement_required_at IS NOT NULL FROM credentials WHERE id = $1`, id).
			Scan(&s, &flagged); err != nil {
			t.Fatal(err)
		}
		return s, flagged
	}
	for _, c := range []struct {
		id      int64
		status  string
		flagged bool
	}{{inGrace, "expired", false}, {pastGrace, "expired", true}, {active, "active", false}, {paused, "expired", false}} {
		if s, f := status(c.id); s != c.status || f != c.flagged {
			t.Errorf("credential %d: %s flagged=%v, want %s flagged=%v", c.id, s, f, c.status, c.flagged)
		}
	}
	trail, err := db.AuditTrail(ctx, "credential", pastGrace)
	if err != nil || len(trail) != 2 || trail[0].Action != "credential.expired" || trail[1].Action != "credential.reinstatement_required" {
		t.Errorf("audit trail %+v, %v; want expired then reinstatement_required", trail, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages WHERE kind = 'status_changed'`); n != 3 {
		t.Errorf("%d status-change messages, want 3", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM audit_events WHERE entity_id = $1 AND before->>'status' = 'inactive'`, paused); n != 1 {
		t.Errorf("the inactive credential's expiry event records %d inactive befores, want 1", n)
	}
	if rep, err := db.RunDaily(ctx, today); err != nil || rep.Expired+rep.ReinstatementRequired != 0 {
		t.Errorf("second run changed %+v, %v; want nothing", rep, err)
	}
}

func TestDeliverMailSendsOnce(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	today := day("2027-01-01")
	seedCredential(t, db, 1, today.AddDate(0, 0, 10))
	if _, err := db.RunDaily(ctx, today); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.MailMessages(ctx, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	sends := 0
	send := func(postgres.MailMessage) (string, error) { sends++; return "catcher", nil }
	failing := func(postgres.MailMessage) (string, error) { return "", errors.New("smtp down") }
	if err := db.DeliverMail(ctx, msgs[0].ID, failing); err == nil {
		t.Fatal("a failed send reported success")
	}
	for range 3 { // the retry, then two duplicate jobs
		if err := db.DeliverMail(ctx, msgs[0].ID, send); err != nil {
			t.Fatal(err)
		}
	}
	if sends != 1 {
		t.Errorf("sent %d times, want once", sends)
	}
}

func TestRunDailyAbandonsUnansweredRequests(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	u := &peerboard.User{Email: "slow@example.org", Name: "Slow", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	insert := func(deadline string) int64 {
		var id int64
		err := db.Pool.QueryRow(ctx, `INSERT INTO applications (applicant_id, credential_type_id, pathway, status, info_deadline)
			SELECT $1, id, 'standard', 'needs_information', $2 FROM credential_types WHERE code = 'CPSRP' RETURNING id`,
			u.ID, deadline).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	late := insert("2027-02-28")
	onTime := func() int64 {
		// A second open application of the same type is not allowed; use another type row.
		var id int64
		err := db.Pool.QueryRow(ctx, `WITH t AS (
				INSERT INTO credential_types (code, name, number_prefix, cycle_months) VALUES ('NCPS', 'National', 'NCPS', 24) RETURNING id)
			INSERT INTO applications (applicant_id, credential_type_id, pathway, status, info_deadline)
			SELECT $1, t.id, 'standard', 'needs_information', '2027-03-01' FROM t RETURNING id`, u.ID).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}()

	rep, err := db.RunDaily(ctx, day("2027-03-01"))
	if err != nil || rep.Abandoned != 1 {
		t.Fatalf("report %+v, %v; want one abandoned", rep, err)
	}
	for id, want := range map[int64]peerboard.ApplicationStatus{late: peerboard.AppAbandoned, onTime: peerboard.AppNeedsInformation} {
		a, err := db.ApplicationByID(ctx, id)
		if err != nil || a.Status != want {
			t.Errorf("application %d: %v, %v; want %s", id, a.Status, err, want)
		}
	}
	timeline, err := db.Timeline(ctx, late)
	if err != nil || len(timeline) != 1 || timeline[0].Status != peerboard.AppAbandoned {
		t.Errorf("timeline %+v, %v; want the abandonment", timeline, err)
	}
}

// An open renewal holds a credential Active through the grace period, not
// beyond; an unanswered request for information closes the renewal.
func TestRunDailyPendingRenewals(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	today := day("2027-06-01")
	renewal := func(credID int64, status string, deadline any) {
		t.Helper()
		_, err := db.Pool.Exec(ctx, `INSERT INTO renewals (credential_id, holder_id, cycle_start, cycle_end, status, info_deadline)
			SELECT id, user_id, expires_on - interval '2 years', expires_on, $2, $3 FROM credentials WHERE id = $1`,
			credID, status, deadline)
		if err != nil {
			t.Fatal(err)
		}
	}
	held := seedCredential(t, db, 1, today.AddDate(0, 0, -10))      // in grace, board reviewing
	pastGrace := seedCredential(t, db, 2, today.AddDate(0, 0, -95)) // the board took too long
	lapsed := seedCredential(t, db, 3, today.AddDate(0, 0, -5))     // holder never answered
	renewal(held, "under_review", nil)
	renewal(pastGrace, "submitted", nil)
	renewal(lapsed, "needs_information", today.AddDate(0, 0, -1))

	rep, err := db.RunDaily(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RenewalsClosed != 1 {
		t.Errorf("closed %d renewals, want 1", rep.RenewalsClosed)
	}
	for id, want := range map[int64]string{held: "active", pastGrace: "expired", lapsed: "expired"} {
		var got string
		if err := db.Pool.QueryRow(ctx, `SELECT status FROM credentials WHERE id = $1`, id).Scan(&got); err != nil || got != want {
			t.Errorf("credential %d: %s, %v; want %s", id, got, err, want)
		}
	}
	var status, message string
	if err := db.Pool.QueryRow(ctx, `SELECT status, board_message FROM renewals WHERE credential_id = $1`, lapsed).
		Scan(&status, &message); err != nil || status != "denied" || message == "" {
		t.Errorf("unanswered renewal: %s %q, %v; want denied with the reason", status, message, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM mail_messages WHERE kind = 'renewal_decision'`); n != 1 {
		t.Errorf("%d decision messages, want 1", n)
	}
}
