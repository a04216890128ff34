package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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

// DraftInput is what an applicant saves on a draft. Every field may be
// empty: completeness is checked only on submission (ValidateSubmission).
// Signed lists the attestations whose box is ticked; unticked ones are removed.
type DraftInput struct {
	Details                  peerboard.ApplicantDetails
	LivedExperience          peerboard.LivedExperience
	SupervisedHours          int
	PriorTrainingKind        string
	PriorTrainingCompletedOn *time.Time
	PriorTrainingProvider    string
	Signed                   map[peerboard.AttestationKind]bool
}

// staleError is the ECONFLICT for a form whose version is no longer current.
func staleError(a *peerboard.Application) error {
	return peerboard.Errorf(peerboard.ECONFLICT,
		"This application changed while you were looking at it: it is now %s. Review its current state below.",
		a.Status.Label())
}

// credentialTypeTx reads a credential type inside tx.
func credentialTypeTx(ctx context.Context, tx pgx.Tx, id int64) (*peerboard.CredentialType, error) {
	return scanCredentialType(tx.QueryRow(ctx, `SELECT `+credentialTypeColumns+` FROM credential_types WHERE id = $1`, id))
}

// CreateApplication starts a draft application of applicantID for a
// credential type on a pathway offered today. A second open application for
// the same type is an ECONFLICT (the applications_one_open_idx index).
func (db *DB) CreateApplication(ctx context.Context, applicantID, credentialTypeID int64, pathway peerboard.Pathway) (*peerboard.Application, error) {
	var id int64
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		t, err := credentialTypeTx(ctx, tx, credentialTypeID)
		if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			return peerboard.FieldErrors("Please choose a credential", map[string]string{"credential_type_id": "Choose a credential that is accepting applications"})
		} else if err != nil {
			return err
		}
		offered := false
		for _, p := range t.Pathways(db.Today()) {
			offered = offered || p == pathway
		}
		if !offered {
			msg := "Choose a pathway offered for this credential"
			if !t.Active {
				return peerboard.FieldErrors("Please choose a credential", map[string]string{"credential_type_id": "This credential is not accepting applications"})
			} else if pathway == peerboard.PathwayGrandparenting && t.GrandparentingEnabled {
				msg = "Grandparenting applications for this credential are closed"
			}
			return peerboard.FieldErrors("Please choose a pathway", map[string]string{"pathway": msg})
		}
		// A holder renews (or, past grace, is reinstated); a second credential
		// of the same type could never be issued.
		var held string
		err = tx.QueryRow(ctx, `SELECT status FROM credentials WHERE user_id = $1 AND credential_type_id = $2`,
			applicantID, t.ID).Scan(&held)
		if err == nil {
			return peerboard.FieldErrors("You already hold this credential", map[string]string{"credential_type_id": fmt.Sprintf(
				"You already hold %s (%s). Renew it from your dashboard instead of applying again.", t.Name,
				strings.ToLower(peerboard.CredentialStatus(held).Label()))})
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("credential held: %w", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO applications (applicant_id, credential_type_id, pathway)
			VALUES ($1, $2, $3) RETURNING id`, applicantID, t.ID, pathway).Scan(&id)
		if err != nil {
			err = mapError(err, "Application")
			if peerboard.ErrorCode(err) == peerboard.ECONFLICT {
				return peerboard.Errorf(peerboard.ECONFLICT,
					"You already have an open application for %s. Continue it from your dashboard, or withdraw it before starting a new one.", t.Name)
			}
			return err
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "application.created", "application", id)
		e.After = map[string]any{"status": peerboard.AppDraft, "pathway": pathway, "credential_type": t.Code, "version": 1}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}

// ApplicationsOfUser lists a person's applications, newest first, at most
// limit of them (applications_applicant_idx).
func (db *DB) ApplicationsOfUser(ctx context.Context, userID int64, limit int) ([]peerboard.Application, error) {
	rows, err := db.Pool.Query(ctx, applicationSelect+` WHERE a.applicant_id = $1 ORDER BY a.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("applications of user: %w", err)
	}
	defer rows.Close()
	var out []peerboard.Application
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// SaveDraft stores the applicant's answers on a draft the caller saw at
// version. Partial answers are fine; a stale version or a case that is no
// longer a draft is an ECONFLICT and changes nothing.
func (db *DB) SaveDraft(ctx context.Context, id int64, version int, in DraftInput) (*peerboard.Application, error) {
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		return db.saveDraft(ctx, tx, a, version, in)
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}

// saveDraft updates a locked draft and its attestations, bumps its version
// and records the save, in tx.
func (db *DB) saveDraft(ctx context.Context, tx pgx.Tx, a *peerboard.Application, version int, in DraftInput) error {
	if version != a.Version {
		return staleError(a)
	}
	if !a.Status.Editable() {
		return peerboard.Errorf(peerboard.ECONFLICT, "This application is %s and can no longer be edited.", strings.ToLower(a.Status.Label()))
	}
	d := in.Details.Normalized()
	_, err := tx.Exec(ctx, `UPDATE applications SET first_name = $2, last_name = $3, phone = $4, address_line = $5,
		city = $6, state = $7, postal_code = $8, date_of_birth = $9, lived_experience = $10, supervised_hours = $11,
		prior_training_kind = $12, prior_training_completed_on = $13, prior_training_provider = $14,
		version = version + 1, updated_at = now()
		WHERE id = $1`, a.ID, d.FirstName, d.LastName, d.Phone, d.AddressLine, d.City, d.State, d.PostalCode,
		dateOnly(d.DateOfBirth), in.LivedExperience, in.SupervisedHours, in.PriorTrainingKind,
		dateOnly(in.PriorTrainingCompletedOn), strings.TrimSpace(in.PriorTrainingProvider))
	if err != nil {
		return mapError(err, "application")
	}
	signed, unsigned := []string{}, []string{}
	for _, k := range peerboard.AllAttestations() {
		if in.Signed[k] {
			signed = append(signed, string(k))
		} else {
			unsigned = append(unsigned, string(k))
		}
	}
	// A signature keeps its original time unless the wording changed since.
	for _, k := range signed {
		v, _ := peerboard.AttestationText(peerboard.AttestationKind(k))
		_, err := tx.Exec(ctx, `INSERT INTO attestations (application_id, kind, text_version, signed_by, signed_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (application_id, kind) DO UPDATE
			SET text_version = EXCLUDED.text_version, signed_by = EXCLUDED.signed_by, signed_at = EXCLUDED.signed_at
			WHERE attestations.text_version <> EXCLUDED.text_version`,
			a.ID, k, v, a.ApplicantID, db.Now())
		if err != nil {
			return mapError(err, "attestation")
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM attestations WHERE application_id = $1 AND kind = ANY($2)`, a.ID, unsigned); err != nil {
		return fmt.Errorf("remove attestations: %w", err)
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "application.draft_saved", "application", a.ID)
	e.Before = map[string]any{"version": a.Version}
	e.After = map[string]any{"version": a.Version + 1, "signed": signed}
	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	a.Details, a.LivedExperience, a.SupervisedHours = d, in.LivedExperience, in.SupervisedHours
	a.PriorTrainingKind, a.PriorTrainingCompletedOn = in.PriorTrainingKind, in.PriorTrainingCompletedOn
	a.PriorTrainingProvider = strings.TrimSpace(in.PriorTrainingProvider)
	a.Attestations = nil
	now := db.Now()
	for _, k := range signed {
		v, _ := peerboard.AttestationText(peerboard.AttestationKind(k))
		a.Attestations = append(a.Attestations, peerboard.Attestation{Kind: peerboard.AttestationKind(k), TextVersion: v, SignedAt: now})
	}
	a.Version++
	return nil
}

// SubmitApplication sends a draft the caller saw at version to the board.
// When in is not nil the answers are saved first, in the same transaction.
// Incomplete answers give ValidateSubmission's field errors and nothing is
// stored; a stale version (e.g. a second click) is an ECONFLICT.
func (db *DB) SubmitApplication(ctx context.Context, id int64, version int, in *DraftInput) (*peerboard.Application, error) {
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != a.Version {
			return staleError(a)
		}
		if a.Status != peerboard.AppDraft {
			return peerboard.CheckApplicationTransition(a.Status, peerboard.AppSubmitted, peerboard.ActorApplicant)
		}
		if in != nil {
			if err := db.saveDraft(ctx, tx, a, version, *in); err != nil {
				return err
			}
		} else if a.Attestations, err = attestations(ctx, tx, a.ID); err != nil {
			return err
		}
		t, err := credentialTypeTx(ctx, tx, a.CredentialTypeID)
		if err != nil {
			return err
		}
		err = peerboard.ValidateSubmission(*t, peerboard.SubmissionInput{
			Details: a.Details, Pathway: a.Pathway, LivedExperience: a.LivedExperience, Signed: a.Signed(),
			PriorTrainingKind: a.PriorTrainingKind, PriorTrainingCompletedOn: a.PriorTrainingCompletedOn,
			PriorTrainingProvider: a.PriorTrainingProvider,
		}, db.Today())
		if err != nil {
			return err
		}
		return transitionApplication(ctx, tx, a, transition{To: peerboard.AppSubmitted, By: peerboard.ActorApplicant,
			Version: a.Version, Set: map[string]any{"submitted_at": db.Now()}})
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}

// RespondToRequest answers the board's request for information on a case
// the applicant saw at version: a message and, optionally, corrected
// supervised hours. The case goes back to the board as resubmitted.
func (db *DB) RespondToRequest(ctx context.Context, id int64, version int, message string, supervisedHours *int) (*peerboard.Application, error) {
	message = strings.TrimSpace(message)
	f := map[string]string{}
	switch {
	case message == "":
		f["message"] = "Write your answer to the board's request"
	case utf8.RuneCountInString(message) > peerboard.MaxReasonLength:
		f["message"] = fmt.Sprintf("At most %d characters", peerboard.MaxReasonLength)
	}
	if supervisedHours != nil && (*supervisedHours < 0 || *supervisedHours > 100000) {
		f["supervised_hours"] = "Enter a number of hours between 0 and 100000"
	}
	if len(f) > 0 {
		return nil, peerboard.FieldErrors("Please correct your answer", f)
	}
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status == peerboard.AppNeedsInformation && a.InfoDeadline != nil && db.Today().After(*a.InfoDeadline) {
			return peerboard.Errorf(peerboard.EINVALID, "The deadline to answer was %s. Contact the board, or start a new application.",
				a.InfoDeadline.Format(peerboard.DateLayout))
		}
		set := map[string]any{"info_deadline": nil}
		if supervisedHours != nil {
			set["supervised_hours"] = *supervisedHours
		}
		return transitionApplication(ctx, tx, a, transition{To: peerboard.AppResubmitted, By: peerboard.ActorApplicant,
			Version: version, Message: message, Set: set})
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}

// WithdrawApplication closes an open application the applicant saw at
// version. It can then be replaced by a new one.
func (db *DB) WithdrawApplication(ctx context.Context, id int64, version int) (*peerboard.Application, error) {
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		return transitionApplication(ctx, tx, a, transition{To: peerboard.AppWithdrawn, By: peerboard.ActorApplicant, Version: version})
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}
