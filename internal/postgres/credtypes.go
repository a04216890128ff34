package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

const credentialTypeColumns = `id, code, name, description, number_prefix, active, cycle_months, appeal_days,
	standard_enabled, training_hours, require_all_competencies, require_ethics_module, supervised_hours,
	exam_required, exam_authorization_days, exam_retake_wait_days, exam_max_attempts,
	grandparenting_enabled, grandparenting_training_cutoff, grandparenting_apply_until,
	ce_hours_per_cycle, ce_ethics_hours, ce_self_reported_cap, renewal_window_days, grace_days,
	audit_percent, reminder_days, fee_id_cents, fee_application_cents, fee_exam_cents, version, updated_at`

func scanCredentialType(row pgx.Row) (*peerboard.CredentialType, error) {
	var t peerboard.CredentialType
	err := row.Scan(&t.ID, &t.Code, &t.Name, &t.Description, &t.NumberPrefix, &t.Active, &t.CycleMonths, &t.AppealDays,
		&t.StandardEnabled, &t.TrainingHours, &t.RequireAllCompetencies, &t.RequireEthicsModule, &t.SupervisedHours,
		&t.ExamRequired, &t.ExamAuthorizationDays, &t.ExamRetakeWaitDays, &t.ExamMaxAttempts,
		&t.GrandparentingEnabled, &t.GrandparentingTrainingCutoff, &t.GrandparentingApplyUntil,
		&t.CEHoursPerCycle, &t.CEEthicsHours, &t.CESelfReportedCap, &t.RenewalWindowDays, &t.GraceDays,
		&t.AuditPercent, &t.ReminderDays, &t.FeeIDCents, &t.FeeApplicationCents, &t.FeeExamCents, &t.Version, &t.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Credential type")
	}
	return &t, nil
}

// CredentialTypeByID returns one credential type, or ENOTFOUND.
func (db *DB) CredentialTypeByID(ctx context.Context, id int64) (*peerboard.CredentialType, error) {
	return scanCredentialType(db.Pool.QueryRow(ctx, `SELECT `+credentialTypeColumns+` FROM credential_types WHERE id = $1`, id))
}

// CredentialTypeByCode returns one credential type by its code, or ENOTFOUND.
func (db *DB) CredentialTypeByCode(ctx context.Context, code string) (*peerboard.CredentialType, error) {
	return scanCredentialType(db.Pool.QueryRow(ctx, `SELECT `+credentialTypeColumns+` FROM credential_types WHERE code = $1`, code))
}

// CredentialTypes lists the credential types, active ones first.
func (db *DB) CredentialTypes(ctx context.Context, activeOnly bool) ([]peerboard.CredentialType, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+credentialTypeColumns+` FROM credential_types
		WHERE active OR NOT $1 ORDER BY active DESC, code`, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("list credential types: %w", err)
	}
	defer rows.Close()
	var out []peerboard.CredentialType
	for rows.Next() {
		t, err := scanCredentialType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}
