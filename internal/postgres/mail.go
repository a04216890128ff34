package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// SendMailArgs is the River job that delivers one stored message.
type SendMailArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind names the job for River.
func (SendMailArgs) Kind() string { return "send_mail" }

// InsertOpts retries delivery with River's exponential back-off.
func (SendMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, Queue: "mail"}
}

// queueMail stores messages and inserts their send jobs in the caller's
// transaction: a rolled-back change sends nothing, a committed one is never lost.
func (db *DB) queueMail(ctx context.Context, tx pgx.Tx, mails ...peerboard.Mail) error {
	if len(mails) == 0 {
		return nil
	}
	// One statement for all messages (the daily run queues thousands); each
	// returned id gets its job, so the order does not matter.
	to, subject, body, kind := make([]string, len(mails)), make([]string, len(mails)), make([]string, len(mails)), make([]string, len(mails))
	for i, m := range mails {
		to[i], subject[i], body[i], kind[i] = m.To, m.Subject, m.Body, m.Kind
	}
	rows, err := tx.Query(ctx, `INSERT INTO mail_messages (to_address, subject, body, kind)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
		RETURNING id`, to, subject, body, kind)
	if err != nil {
		return fmt.Errorf("store mail: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("store mail: %w", err)
	}
	params := make([]river.InsertManyParams, 0, len(ids))
	for _, id := range ids {
		params = append(params, river.InsertManyParams{Args: SendMailArgs{MessageID: id}})
	}
	if _, err := db.jobs.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue mail jobs: %w", err)
	}
	return nil
}

// MailMessage is a stored outgoing message.
type MailMessage struct {
	ID        int64
	To        string
	Subject   string
	Body      string
	Kind      string
	CreatedAt time.Time
	SentAt    *time.Time
	SentVia   string
}

// DeliverMail sends message id once: it locks the row, skips a message
// already sent (a retried or duplicated job), calls send, and records the
// delivery in the same transaction.
func (db *DB) DeliverMail(ctx context.Context, id int64, send func(MailMessage) (via string, err error)) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		var m MailMessage
		err := tx.QueryRow(ctx, `SELECT id, to_address, subject, body, kind, created_at, sent_at, sent_via
			FROM mail_messages WHERE id = $1 FOR UPDATE`, id).
			Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Kind, &m.CreatedAt, &m.SentAt, &m.SentVia)
		if err != nil {
			return mapError(err, "Message")
		}
		if m.SentAt != nil {
			return nil
		}
		via, err := send(m)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE mail_messages SET sent_at = now(), sent_via = $2 WHERE id = $1`, id, via)
		return err
	})
}

// MailMessages lists stored messages newest first, keyset-paginated by id
// (before = 0 for the first page), for the admin's mail catcher.
func (db *DB) MailMessages(ctx context.Context, before int64, limit int) ([]MailMessage, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, to_address, subject, body, kind, created_at, sent_at, sent_via
		FROM mail_messages WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("mail messages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MailMessage, error) {
		var m MailMessage
		err := r.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Kind, &m.CreatedAt, &m.SentAt, &m.SentVia)
		return m, err
	})
}

// MailMessageByID returns one stored message.
func (db *DB) MailMessageByID(ctx context.Context, id int64) (*MailMessage, error) {
	var m MailMessage
	err := db.Pool.QueryRow(ctx, `SELECT id, to_address, subject, body, kind, created_at, sent_at, sent_via
		FROM mail_messages WHERE id = $1`, id).
		Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Kind, &m.CreatedAt, &m.SentAt, &m.SentVia)
	if err != nil {
		return nil, mapError(err, "Message")
	}
	return &m, nil
}
