package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// ErrStaleCredentialType is returned when a credential type changed since
// the admin's form was loaded; nothing was saved.
var ErrStaleCredentialType = peerboard.Errorf(peerboard.ECONFLICT,
	"Someone else saved this credential type while you were editing it. Your changes were not saved.")

// credentialTypeFieldMessages explains the database's rules for the fields
// whose checks are stricter than the domain's, so a violation is shown next
// to its field instead of as a page-level error.
var credentialTypeFieldMessages = map[string]string{
	"code":          "Use 2 to 12 capital letters or digits, starting with a letter",
	"number_prefix": "Use 2 to 8 capital letters",
}

// credentialTypeConstraintError turns a unique or check violation on
// credential_types into a field error on the violated column.
func credentialTypeConstraintError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || (pgErr.Code != "23505" && pgErr.Code != "23514") ||
		!strings.HasPrefix(pgErr.ConstraintName, "credential_types_") {
		return mapError(err, "Credential type")
	}
	col := strings.TrimPrefix(pgErr.ConstraintName, "credential_types_")
	col = strings.TrimSuffix(strings.TrimSuffix(col, "_key"), "_check")
	msg := "This value is not allowed"
	switch {
	case pgErr.Code == "23505" && col == "code":
		msg = "Another credential type already uses this code"
	case pgErr.Code == "23505" && col == "number_prefix":
		msg = "Another credential type already uses this prefix; credential numbers must tell the types apart"
	case pgErr.Code == "23505":
		msg = "Another credential type already uses this value"
	case credentialTypeFieldMessages[col] != "":
		msg = credentialTypeFieldMessages[col]
	}
	return peerboard.FieldErrors("Please correct the credential type settings", map[string]string{col: msg})
}

// credentialTypeValues are the configurable columns in the order of the
// INSERT and UPDATE statements below.
func credentialTypeValues(t *peerboard.CredentialType) []any {
	days := t.ReminderDays
	if days == nil {
		days = []int{} // the column is NOT NULL; nil would encode as NULL
	}
	return []any{t.Code, t.Name, t.Description, t.NumberPrefix, t.Active, t.CycleMonths, t.AppealDays,
		t.StandardEnabled, t.TrainingHours, t.RequireAllCompetencies, t.RequireEthicsModule, t.SupervisedHours,
		t.ExamRequired, t.ExamAuthorizationDays, t.ExamRetakeWaitDays, t.ExamMaxAttempts,
		t.GrandparentingEnabled, t.GrandparentingTrainingCutoff, t.GrandparentingApplyUntil,
		t.CEHoursPerCycle, t.CEEthicsHours, t.CESelfReportedCap, t.RenewalWindowDays, t.GraceDays,
		t.AuditPercent, days, t.FeeIDCents, t.FeeApplicationCents, t.FeeExamCents}
}

// CreateCredentialType stores a new credential type after validating it,
// with a "credential_type.created" audit event. A code or number prefix
// already in use is a field error. t's ID, Version and UpdatedAt are set.
func (db *DB) CreateCredentialType(ctx context.Context, t *peerboard.CredentialType) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO credential_types (code, name, description, number_prefix, active, cycle_months, appeal_days,
				standard_enabled, training_hours, require_all_competencies, require_ethics_module, supervised_hours,
				exam_required, exam_authorization_days, exam_retake_wait_days, exam_max_attempts,
				grandparenting_enabled, grandparenting_training_cutoff, grandparenting_apply_until,
				ce_hours_per_cycle, ce_ethics_hours, ce_self_reported_cap, renewal_window_days, grace_days,
				audit_percent, reminder_days, fee_id_cents, fee_application_cents, fee_exam_cents, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
				$21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
			RETURNING id, version, updated_at`, append(credentialTypeValues(t), db.Now())...).
			Scan(&t.ID, &t.Version, &t.UpdatedAt)
		if err != nil {
			return credentialTypeConstraintError(err)
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "credential_type.created", "credential_type", t.ID)
		e.After = t.Settings()
		return insertAudit(ctx, tx, e)
	})
}

// UpdateCredentialType saves an admin's edit of credential type t.ID made on
// version t.Version. A type changed since then is ErrStaleCredentialType
// and nothing is written. The number prefix cannot change once the type has
// issued credentials. The audit event "credential_type.updated" records the
// changed fields only; an edit that changes nothing writes nothing and
// returns changed false. On success t.Version and t.UpdatedAt are the new ones.
func (db *DB) UpdateCredentialType(ctx context.Context, t *peerboard.CredentialType) (changed bool, err error) {
	if err := t.Validate(); err != nil {
		return false, err
	}
	err = db.Transact(ctx, func(tx pgx.Tx) error {
		// Lock the row so the comparison below and the UPDATE see the same version.
		cur, err := scanCredentialType(tx.QueryRow(ctx, `SELECT `+credentialTypeColumns+`
			FROM credential_types WHERE id = $1 FOR UPDATE`, t.ID))
		if err != nil {
			return err
		}
		if cur.Version != t.Version {
			return ErrStaleCredentialType
		}
		before, after := peerboard.ChangedSettings(cur.Settings(), t.Settings())
		if len(after) == 0 {
			t.UpdatedAt = cur.UpdatedAt
			return nil
		}
		if _, ok := after["number_prefix"]; ok {
			var issued bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM credentials WHERE credential_type_id = $1)`,
				t.ID).Scan(&issued); err != nil {
				return fmt.Errorf("credentials of type: %w", err)
			}
			if issued {
				return peerboard.FieldErrors("Please correct the credential type settings", map[string]string{
					"number_prefix": fmt.Sprintf("Credentials with numbers starting %s have been issued, so the prefix cannot change: "+
						"numbers already issued keep their prefix, and one type's numbers must all start the same way. "+
						"To number credentials differently, create a new credential type.", cur.NumberPrefix),
				})
			}
		}
		args := append([]any{t.ID, t.Version, db.Now()}, credentialTypeValues(t)...)
		err = tx.QueryRow(ctx, `
			UPDATE credential_types SET code = $4, name = $5, description = $6, number_prefix = $7, active = $8,
				cycle_months = $9, appeal_days = $10, standard_enabled = $11, training_hours = $12,
				require_all_competencies = $13, require_ethics_module = $14, supervised_hours = $15,
				exam_required = $16, exam_authorization_days = $17, exam_retake_wait_days = $18,
				exam_max_attempts = $19, grandparenting_enabled = $20, grandparenting_training_cutoff = $21,
				grandparenting_apply_until = $22, ce_hours_per_cycle = $23, ce_ethics_hours = $24,
				ce_self_reported_cap = $25, renewal_window_days = $26, grace_days = $27, audit_percent = $28,
				reminder_days = $29, fee_id_cents = $30, fee_application_cents = $31, fee_exam_cents = $32,
				version = version + 1, updated_at = $3
			WHERE id = $1 AND version = $2
			RETURNING version, updated_at`, args...).Scan(&t.Version, &t.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrStaleCredentialType
		} else if err != nil {
			return credentialTypeConstraintError(err)
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "credential_type.updated", "credential_type", t.ID)
		e.Before, e.After = before, after
		changed = true
		return insertAudit(ctx, tx, e)
	})
	return changed, err
}

// CredentialTypeHasCredentials reports whether any credential of the type
// was issued, which fixes its number prefix.
func (db *DB) CredentialTypeHasCredentials(ctx context.Context, id int64) (bool, error) {
	var issued bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM credentials WHERE credential_type_id = $1)`, id).Scan(&issued)
	if err != nil {
		return false, fmt.Errorf("credentials of type: %w", err)
	}
	return issued, nil
}

const organizationColumns = `id, name, coalesce(contact_email::text, ''), approved_from, approved_until`

func scanOrganization(row pgx.Row) (peerboard.Organization, error) {
	var o peerboard.Organization
	err := row.Scan(&o.ID, &o.Name, &o.ContactEmail, &o.ApprovedFrom, &o.ApprovedUntil)
	return o, err
}

// Organizations lists training organizations by name after the keyset
// cursor after ("" starts at the top). It returns up to limit+1 rows, so the
// caller can tell whether a next page exists. The name's unique index
// serves the order.
func (db *DB) Organizations(ctx context.Context, after string, limit int) ([]peerboard.Organization, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+organizationColumns+` FROM training_organizations
		WHERE name > $1 ORDER BY name LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Organization, error) { return scanOrganization(r) })
}

// organizationConstraintError turns a duplicate name into a field error.
func organizationConstraintError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "training_organizations_name_key" {
		return peerboard.FieldErrors("Please correct the organization's details", map[string]string{
			"name": "Another training organization already has this name",
		})
	}
	return mapError(err, "Training organization")
}

// nullIfEmpty stores "" as NULL, for optional citext columns.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateOrganization stores a new training organization after validating
// it, with an "organization.created" audit event; a name already in use is a
// field error. o.ID is set.
func (db *DB) CreateOrganization(ctx context.Context, o *peerboard.Organization) error {
	o.Name, o.ContactEmail = strings.TrimSpace(o.Name), strings.TrimSpace(o.ContactEmail)
	if err := o.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO training_organizations (name, contact_email, approved_from, approved_until, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			o.Name, nullIfEmpty(o.ContactEmail), o.ApprovedFrom, o.ApprovedUntil, db.Now()).Scan(&o.ID)
		if err != nil {
			return organizationConstraintError(err)
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "organization.created", "training_organization", o.ID)
		e.After = o.Settings()
		return insertAudit(ctx, tx, e)
	})
}

// UpdateOrganization saves an admin's edit of organization o.ID. A change of
// the approval dates is audited as "organization.approval_changed", any
// other change as "organization.updated"; both record only the changed
// fields. An edit that changes nothing writes nothing and returns false.
func (db *DB) UpdateOrganization(ctx context.Context, o *peerboard.Organization) (changed bool, err error) {
	o.Name, o.ContactEmail = strings.TrimSpace(o.Name), strings.TrimSpace(o.ContactEmail)
	if err := o.Validate(); err != nil {
		return false, err
	}
	err = db.Transact(ctx, func(tx pgx.Tx) error {
		cur, err := scanOrganization(tx.QueryRow(ctx, `SELECT `+organizationColumns+`
			FROM training_organizations WHERE id = $1 FOR UPDATE`, o.ID))
		if err != nil {
			return mapError(err, "Training organization")
		}
		before, after := peerboard.ChangedSettings(cur.Settings(), o.Settings())
		if len(after) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE training_organizations
			SET name = $2, contact_email = $3, approved_from = $4, approved_until = $5, updated_at = $6
			WHERE id = $1`, o.ID, o.Name, nullIfEmpty(o.ContactEmail), o.ApprovedFrom, o.ApprovedUntil, db.Now())
		if err != nil {
			return organizationConstraintError(err)
		}
		action := "organization.updated"
		_, from := after["approved_from"]
		_, until := after["approved_until"]
		if from || until {
			action = "organization.approval_changed"
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", action, "training_organization", o.ID)
		e.Before, e.After = before, after
		changed = true
		return insertAudit(ctx, tx, e)
	})
	return changed, err
}
