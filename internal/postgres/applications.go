package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// applicationSelect reads an application with its applicant and type names.
const applicationSelect = `SELECT a.id, a.applicant_id, u.name, u.email, a.credential_type_id, t.code, t.name,
	a.pathway, a.status, a.first_name, a.last_name, a.phone, a.address_line, a.city, a.state, a.postal_code,
	a.date_of_birth, a.lived_experience, a.supervised_hours, a.prior_training_kind,
	a.prior_training_completed_on, a.prior_training_provider, a.board_message, a.info_deadline,
	a.appeal_until, a.submitted_at, a.decided_at, a.assigned_to, a.version, a.created_at, a.updated_at
	FROM applications a
	JOIN users u ON u.id = a.applicant_id
	JOIN credential_types t ON t.id = a.credential_type_id`

func scanApplication(row pgx.Row) (*peerboard.Application, error) {
	var a peerboard.Application
	d := &a.Details
	err := row.Scan(&a.ID, &a.ApplicantID, &a.ApplicantName, &a.ApplicantEmail, &a.CredentialTypeID,
		&a.CredentialTypeCode, &a.CredentialTypeName, &a.Pathway, &a.Status, &d.FirstName, &d.LastName,
		&d.Phone, &d.AddressLine, &d.City, &d.State, &d.PostalCode, &d.DateOfBirth, &a.LivedExperience,
		&a.SupervisedHours, &a.PriorTrainingKind, &a.PriorTrainingCompletedOn, &a.PriorTrainingProvider,
		&a.BoardMessage, &a.InfoDeadline, &a.AppealUntil, &a.SubmittedAt, &a.DecidedAt, &a.AssignedTo,
		&a.Version, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Application")
	}
	return &a, nil
}

// ApplicationByID returns an application with its attestations. It does not
// check who is asking: handlers apply peerboard.CanViewApplication and
// answer 404 when it fails, so another person's case is not revealed.
func (db *DB) ApplicationByID(ctx context.Context, id int64) (*peerboard.Application, error) {
	a, err := scanApplication(db.Pool.QueryRow(ctx, applicationSelect+` WHERE a.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if a.Attestations, err = attestations(ctx, db.Pool, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func attestations(ctx context.Context, q querier, applicationID int64) ([]peerboard.Attestation, error) {
	rows, err := q.Query(ctx, `SELECT kind, text_version, signed_at FROM attestations
		WHERE application_id = $1 ORDER BY kind`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("attestations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Attestation, error) {
		var at peerboard.Attestation
		err := r.Scan(&at.Kind, &at.TextVersion, &at.SignedAt)
		return at, err
	})
}

// lockApplication reads an application FOR UPDATE inside tx.
func lockApplication(ctx context.Context, tx pgx.Tx, id int64) (*peerboard.Application, error) {
	return scanApplication(tx.QueryRow(ctx, applicationSelect+` WHERE a.id = $1 FOR UPDATE OF a`, id))
}

// transition is one status change of an application.
type transition struct {
	To      peerboard.ApplicationStatus
	By      peerboard.Actor
	Version int    // the version the actor saw; 0 skips the check (system jobs)
	Message string // reason or request, stored as the board message and in the audit event
	// Set lists extra columns to update with the change, e.g. "submitted_at".
	Set map[string]any
}

// transitionApplication moves a locked application to t.To if the rules
// allow it and the actor saw the current version; it bumps the version and
// writes the audit event in the same transaction. A stale version is an
// ECONFLICT that names the application's current status.
func transitionApplication(ctx context.Context, tx pgx.Tx, a *peerboard.Application, t transition) error {
	if t.Version != 0 && t.Version != a.Version {
		return peerboard.Errorf(peerboard.ECONFLICT,
			"This application changed while you were looking at it: it is now %s. Review its current state below.",
			a.Status.Label())
	}
	if err := peerboard.CheckApplicationTransition(a.Status, t.To, t.By); err != nil {
		return err
	}
	sets := "status = $2, version = version + 1, updated_at = now()"
	args := []any{a.ID, t.To}
	if t.By == peerboard.ActorStaff {
		args = append(args, t.Message)
		sets += fmt.Sprintf(", board_message = $%d", len(args))
	}
	for col, v := range t.Set {
		args = append(args, v)
		sets += fmt.Sprintf(", %s = $%d", pgx.Identifier{col}.Sanitize(), len(args))
	}
	if _, err := tx.Exec(ctx, `UPDATE applications SET `+sets+` WHERE id = $1`, args...); err != nil {
		return mapError(err, "Application")
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "application."+string(t.To), "application", a.ID)
	e.Before = map[string]any{"status": a.Status, "version": a.Version}
	e.After = map[string]any{"status": t.To, "version": a.Version + 1}
	e.Reason = t.Message
	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	a.Status, a.Version = t.To, a.Version+1
	return nil
}

// Timeline returns the status changes and board messages of an application,
// oldest first, from its audit events.
func (db *DB) Timeline(ctx context.Context, applicationID int64) ([]peerboard.TimelineEntry, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT e.occurred_at, e.action, coalesce(e.after->>'status', ''), e.reason,
		       e.actor_role IN ('reviewer', 'admin'), coalesce(u.name, 'System')
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.entity_type = 'application' AND e.entity_id = $1
		ORDER BY e.id`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.TimelineEntry, error) {
		var t peerboard.TimelineEntry
		err := r.Scan(&t.At, &t.Action, &t.Status, &t.Message, &t.ByStaff, &t.ByName)
		return t, err
	})
}

// dateOnly converts an optional time to a date for the database.
func dateOnly(t *time.Time) any {
	if t == nil {
		return nil
	}
	return DateOf(*t)
}
