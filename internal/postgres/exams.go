package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// authorizeExam makes an approved standard applicant eligible to test: an
// authorization with a candidate id for the exam vendor, valid for the
// type's configured number of days from today. Written in the approving
// transaction, with its audit event.
func authorizeExam(ctx context.Context, tx pgx.Tx, a *peerboard.Application, t *peerboard.CredentialType, today time.Time) (*peerboard.ExamAuthorization, error) {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT nextval('exam_candidate_seq')`).Scan(&seq); err != nil {
		return nil, fmt.Errorf("candidate id: %w", err)
	}
	x := &peerboard.ExamAuthorization{
		ApplicationID:    a.ID,
		UserID:           a.ApplicantID,
		CredentialTypeID: t.ID,
		CandidateID:      fmt.Sprintf("%s%07d", t.NumberPrefix, seq),
		ValidFrom:        today,
		ValidUntil:       today.AddDate(0, 0, t.ExamAuthorizationDays),
		Status:           "active",
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO exam_authorizations (application_id, user_id, credential_type_id, candidate_id, valid_from, valid_until)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		x.ApplicationID, x.UserID, x.CredentialTypeID, x.CandidateID, x.ValidFrom, x.ValidUntil).Scan(&x.ID)
	if err != nil {
		return nil, mapError(err, "An exam authorization for this application")
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "exam.authorized", "exam_authorization", x.ID)
	e.After = map[string]any{"application_id": a.ID, "candidate_id": x.CandidateID,
		"valid_from": x.ValidFrom.Format(time.DateOnly), "valid_until": x.ValidUntil.Format(time.DateOnly)}
	if err := insertAudit(ctx, tx, e); err != nil {
		return nil, err
	}
	return x, nil
}

const examAuthorizationSelect = `SELECT id, application_id, user_id, credential_type_id, candidate_id,
	valid_from, valid_until, status, attempts FROM exam_authorizations`

func scanExamAuthorization(row pgx.Row) (*peerboard.ExamAuthorization, error) {
	var x peerboard.ExamAuthorization
	err := row.Scan(&x.ID, &x.ApplicationID, &x.UserID, &x.CredentialTypeID, &x.CandidateID,
		&x.ValidFrom, &x.ValidUntil, &x.Status, &x.Attempts)
	if err != nil {
		return nil, mapError(err, "Exam authorization")
	}
	return &x, nil
}

// ExamAuthorizationsOfUser lists a person's exam authorizations, newest first.
func (db *DB) ExamAuthorizationsOfUser(ctx context.Context, userID int64) ([]peerboard.ExamAuthorization, error) {
	rows, err := db.Pool.Query(ctx, examAuthorizationSelect+` WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("exam authorizations: %w", err)
	}
	defer rows.Close()
	var out []peerboard.ExamAuthorization
	for rows.Next() {
		x, err := scanExamAuthorization(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}
