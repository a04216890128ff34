package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// DailyReport says what one run of the daily work did.
type DailyReport struct {
	Expired               int
	ReinstatementRequired int
	Reminders             int
	Abandoned             int // applications with no answer to a request by its deadline
	RenewalsClosed        int // renewals with no answer to a request by its deadline
	Statements            int // SQL statements sent, to show the work is set-based
}

// dailyBatch bounds the rows one statement locks, so the job never holds
// a long transaction over the whole table.
const dailyBatch = 2000

// pendingRenewal is true for credentials whose renewal for the current
// cycle awaits the board: they get no reminders meanwhile, and do not expire
// while the grace period lasts (the board's delay is not the holder's lapse).
const pendingRenewal = `EXISTS (SELECT 1 FROM renewals r WHERE r.credential_id = c.id AND r.cycle_end = c.expires_on
	AND r.status IN ('submitted', 'under_review', 'needs_information', 'resubmitted'))`

// RunDaily does the periodic work as of today: expire unrenewed
// credentials, flag those past grace, send due reminders, and abandon
// applications whose request for information went unanswered. Each step is
// set-based SQL in batches, each batch one transaction with its audit events
// and mail jobs, and safe to run twice or on two instances at once.
func (db *DB) RunDaily(ctx context.Context, today time.Time) (DailyReport, error) {
	var rep DailyReport
	today = DateOf(today)
	steps := []func(context.Context, time.Time, *DailyReport) (int, error){
		db.closeLapsedRenewalsBatch, db.expireBatch, db.reinstatementBatch, db.reminderBatch, db.abandonBatch}
	for _, step := range steps {
		for {
			n, err := step(ctx, today, &rep)
			if err != nil {
				return rep, err
			}
			if n < dailyBatch {
				break
			}
		}
	}
	return rep, nil
}

type holderMail struct {
	credentialID   int64
	number, email  string
	name, typeName string
	expires        time.Time
	days           int
	batchRows      int // rows the statement changed, which may exceed the mails
}

func collectHolderMail(rows pgx.Rows) ([]holderMail, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (holderMail, error) {
		var h holderMail
		err := r.Scan(&h.credentialID, &h.number, &h.email, &h.name, &h.typeName, &h.expires, &h.days, &h.batchRows)
		return h, err
	})
}

func (db *DB) expireBatch(ctx context.Context, today time.Time, rep *DailyReport) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH batch AS (
				SELECT c.id, c.status FROM credentials c JOIN credential_types t ON t.id = c.credential_type_id
				WHERE c.status IN ('active', 'inactive') AND c.expires_on < $1
				  AND NOT (`+pendingRenewal+` AND c.expires_on + t.grace_days >= $1)
				ORDER BY c.expires_on, c.id LIMIT $2
				FOR UPDATE OF c SKIP LOCKED
			), upd AS (
				UPDATE credentials c SET status = 'expired', version = c.version + 1, updated_at = now()
				FROM batch WHERE c.id = batch.id
				RETURNING c.id, c.number, c.user_id, c.credential_type_id, c.expires_on, batch.status AS was
			), audit AS (
				INSERT INTO audit_events (actor_role, action, entity_type, entity_id, before, after, reason)
				SELECT 'system', 'credential.expired', 'credential', upd.id, jsonb_build_object('status', upd.was),
				       '{"status": "expired"}', 'Not renewed by the expiry date'
				FROM upd
			)
			SELECT upd.id, upd.number, u.email, u.name, t.name, upd.expires_on, 0, 0
			FROM upd JOIN users u ON u.id = upd.user_id JOIN credential_types t ON t.id = upd.credential_type_id`,
			today, dailyBatch)
		if err != nil {
			return fmt.Errorf("expire credentials: %w", err)
		}
		hs, err := collectHolderMail(rows)
		if err != nil {
			return err
		}
		n = len(hs)
		mails := make([]peerboard.Mail, 0, len(hs))
		for _, h := range hs {
			mails = append(mails, peerboard.StatusChangedMail(h.email, h.name, h.number, h.typeName, peerboard.CredExpired, db.BaseURL))
		}
		rep.Statements += 1 + mailStatements(len(mails))
		return db.queueMail(ctx, tx, mails...)
	})
	rep.Expired += n
	return n, err
}

func (db *DB) reinstatementBatch(ctx context.Context, today time.Time, rep *DailyReport) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH batch AS (
				SELECT c.id FROM credentials c JOIN credential_types t ON t.id = c.credential_type_id
				WHERE c.status = 'expired' AND c.reinstatement_required_at IS NULL
				  AND c.expires_on + t.grace_days < $1
				ORDER BY c.expires_on, c.id LIMIT $2
				FOR UPDATE OF c SKIP LOCKED
			), upd AS (
				UPDATE credentials c SET reinstatement_required_at = now(), updated_at = now()
				FROM batch WHERE c.id = batch.id
				RETURNING c.id
			), audit AS (
				INSERT INTO audit_events (actor_role, action, entity_type, entity_id, reason)
				SELECT 'system', 'credential.reinstatement_required', 'credential', upd.id,
				       'Past the grace period: a reinstatement application is needed'
				FROM upd
			)
			SELECT count(*) FROM upd`, today, dailyBatch).Scan(&n)
		rep.Statements++
		return err
	})
	rep.ReinstatementRequired += n
	return n, err
}

// reminderBatch records every threshold a credential has reached and mails
// the most urgent newly recorded one; a batch is dailyBatch credentials. The primary key of
// credential_reminders makes each reminder happen once, even when two runs
// race: the second insert waits for the first and then does nothing.
func (db *DB) reminderBatch(ctx context.Context, today time.Time, rep *DailyReport) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT c.id, c.expires_on, d.days
				FROM credentials c
				JOIN credential_types t ON t.id = c.credential_type_id
				CROSS JOIN LATERAL unnest(t.reminder_days) AS d(days)
				WHERE c.status = 'active' AND c.expires_on >= $1
				  AND c.expires_on <= $1 + (SELECT coalesce(max(x), 0) FROM credential_types, unnest(reminder_days) x)
				  AND c.expires_on - $1 <= d.days
				  AND NOT EXISTS (SELECT 1 FROM credential_reminders cr
				                  WHERE cr.credential_id = c.id AND cr.expires_on = c.expires_on AND cr.days_before = d.days)
				  AND NOT `+pendingRenewal+`
			), batch AS (
				-- Whole credentials per batch, so one's thresholds are never split
				-- across two batches (which would mail it twice in one run).
				SELECT DISTINCT id FROM due ORDER BY id LIMIT $2
			), ins AS (
				INSERT INTO credential_reminders (credential_id, expires_on, days_before)
				SELECT due.id, due.expires_on, due.days FROM due JOIN batch USING (id)
				ON CONFLICT DO NOTHING
				RETURNING credential_id, expires_on, days_before
			), firsts AS (
				SELECT credential_id, expires_on, min(days_before) AS days FROM ins GROUP BY 1, 2
			)
			SELECT c.id, c.number, u.email, u.name, t.name, c.expires_on, f.expires_on - $1::date,
			       (SELECT count(*) FROM batch)
			FROM firsts f
			JOIN credentials c ON c.id = f.credential_id
			JOIN users u ON u.id = c.user_id
			JOIN credential_types t ON t.id = c.credential_type_id`, today, dailyBatch)
		if err != nil {
			return fmt.Errorf("reminders: %w", err)
		}
		hs, err := collectHolderMail(rows)
		if err != nil {
			return err
		}
		if len(hs) > 0 {
			n = hs[0].batchRows
		}
		rep.Reminders += len(hs)
		mails := make([]peerboard.Mail, 0, len(hs))
		for _, h := range hs {
			mails = append(mails, peerboard.ReminderMail(h.email, h.name, h.number, h.typeName, h.expires, h.days, db.BaseURL))
		}
		rep.Statements += 1 + mailStatements(len(mails))
		return db.queueMail(ctx, tx, mails...)
	})
	return n, err
}

// mailStatements is what queueMail sends for n messages: one batch of
// inserts and one COPY of jobs, or nothing.
func mailStatements(n int) int {
	if n == 0 {
		return 0
	}
	return 2
}

// abandonBatch moves applications still waiting for the applicant's answer
// past their deadline to Abandoned, with the board message kept.
func (db *DB) abandonBatch(ctx context.Context, today time.Time, rep *DailyReport) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH batch AS (
				SELECT id, version FROM applications
				WHERE status = 'needs_information' AND info_deadline < $1
				ORDER BY id LIMIT $2
				FOR UPDATE SKIP LOCKED
			), upd AS (
				UPDATE applications a SET status = 'abandoned', version = a.version + 1, updated_at = now()
				FROM batch WHERE a.id = batch.id
				RETURNING a.id, batch.version
			), audit AS (
				INSERT INTO audit_events (actor_role, action, entity_type, entity_id, before, after, reason)
				SELECT 'system', 'application.abandoned', 'application', upd.id,
				       jsonb_build_object('status', 'needs_information', 'version', upd.version),
				       jsonb_build_object('status', 'abandoned', 'version', upd.version + 1),
				       'No answer to the request for information by its deadline'
				FROM upd
			)
			SELECT count(*) FROM upd`, today, dailyBatch).Scan(&n)
		rep.Statements++
		return err
	})
	rep.Abandoned += n
	return n, err
}

// closeLapsedRenewalsBatch denies renewals whose request for information
// went unanswered past its deadline, so the credential follows the normal
// course (expiry, grace) instead of being held by an open renewal forever.
func (db *DB) closeLapsedRenewalsBatch(ctx context.Context, today time.Time, rep *DailyReport) (int, error) {
	const reason = "No answer to the board's request by its deadline."
	var n int
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH batch AS (
				SELECT id, version FROM renewals
				WHERE status = 'needs_information' AND info_deadline < $1
				ORDER BY id LIMIT $2
				FOR UPDATE SKIP LOCKED
			), upd AS (
				UPDATE renewals r SET status = 'denied', version = r.version + 1, decided_at = now(),
				       board_message = $3, updated_at = now()
				FROM batch WHERE r.id = batch.id
				RETURNING r.id, r.credential_id, batch.version
			), audit AS (
				INSERT INTO audit_events (actor_role, action, entity_type, entity_id, before, after, reason)
				SELECT 'system', 'renewal.denied', 'renewal', upd.id,
				       jsonb_build_object('status', 'needs_information', 'version', upd.version),
				       jsonb_build_object('status', 'denied', 'version', upd.version + 1), $3
				FROM upd
			)
			SELECT upd.id, c.number, u.email, u.name, t.name, c.expires_on, 0, 0
			FROM upd JOIN credentials c ON c.id = upd.credential_id
			JOIN users u ON u.id = c.user_id JOIN credential_types t ON t.id = c.credential_type_id`,
			today, dailyBatch, reason)
		if err != nil {
			return fmt.Errorf("close lapsed renewals: %w", err)
		}
		hs, err := collectHolderMail(rows)
		if err != nil {
			return err
		}
		n = len(hs)
		mails := make([]peerboard.Mail, 0, len(hs))
		for _, h := range hs {
			mails = append(mails, peerboard.RenewalDecisionMail(h.email, h.name, h.number, false, h.expires, db.BaseURL))
		}
		rep.Statements += 1 + mailStatements(len(mails))
		return db.queueMail(ctx, tx, mails...)
	})
	rep.RenewalsClosed += n
	return n, err
}
