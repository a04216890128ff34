package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// Account is a user as the admin's people pages show it: the account
// without its password hash, and the name of a trainer's organization.
type Account struct {
	ID               int64
	Email            string
	Name             string
	Role             peerboard.Role
	OrganizationID   *int64
	OrganizationName string
	CreatedAt        time.Time
}

// AccountFilter selects and pages the people list.
type AccountFilter struct {
	// Query matches the start of the name or of the email, ignoring case.
	Query string
	// Role keeps only accounts with that role; "" keeps all.
	Role peerboard.Role
	// After is the id of the last account of the previous page, 0 for the first.
	After int64
}

const accountSelect = `SELECT u.id, u.email, u.name, u.role, u.organization_id, coalesce(o.name, ''), u.created_at
	FROM users u LEFT JOIN training_organizations o ON o.id = u.organization_id`

func scanAccount(row pgx.Row) (*Account, error) {
	var a Account
	if err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.OrganizationID, &a.OrganizationName, &a.CreatedAt); err != nil {
		return nil, mapError(err, "Account")
	}
	return &a, nil
}

// likePrefix escapes LIKE's wildcards in s so it matches literally, as a prefix.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// accountsQuery builds the list query with only the conditions in use, so
// the planner sees each index's condition (a catch-all "$1 IS NULL OR ..." would
// hide them). Accounts are ordered by name, then id; the cursor is the last
// account's id, whose (name, id) key the query looks up itself.
func accountsQuery(f AccountFilter, limit int) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg(likePrefix(q))
		where = append(where, `(lower(u.name) COLLATE "C" LIKE lower(`+p+`) COLLATE "C" OR u.email::text COLLATE "C" LIKE lower(`+p+`) COLLATE "C")`)
	}
	if f.Role != "" {
		where = append(where, `u.role = `+arg(f.Role))
	}
	if f.After != 0 {
		where = append(where, `(lower(u.name) COLLATE "C", u.id) > (SELECT lower(name) COLLATE "C", id FROM users WHERE id = `+arg(f.After)+`)`)
	}
	q := accountSelect
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY lower(u.name) COLLATE "C", u.id LIMIT ` + arg(limit+1)
	return q, args
}

// Accounts returns at most limit accounts matching f, ordered by name;
// more reports whether another page follows.
func (db *DB) Accounts(ctx context.Context, f AccountFilter, limit int) (out []Account, more bool, err error) {
	if limit <= 0 {
		limit = 50
	}
	q, args := accountsQuery(f, limit)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("accounts: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// ExplainAccounts returns the query plan of the people list for f, so
// tests can show that searches and pages read an index.
func (db *DB) ExplainAccounts(ctx context.Context, f AccountFilter, limit int) (string, error) {
	q, args := accountsQuery(f, limit)
	rows, err := db.Pool.Query(ctx, "EXPLAIN "+q, args...)
	if err != nil {
		return "", fmt.Errorf("explain accounts: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("explain accounts: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}

// AccountByID returns the account with id, or ENOTFOUND.
func (db *DB) AccountByID(ctx context.Context, id int64) (*Account, error) {
	return scanAccount(db.Pool.QueryRow(ctx, accountSelect+` WHERE u.id = $1`, id))
}

// maxOrganizationChoices bounds the organization select; a board approves
// tens of organizations, not thousands.
const maxOrganizationChoices = 500

// TrainerOrganizationChoices lists training organizations by name, for the
// select of a trainer account's organization.
func (db *DB) TrainerOrganizationChoices(ctx context.Context) ([]peerboard.Organization, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, name FROM training_organizations ORDER BY name, id LIMIT $1`,
		maxOrganizationChoices)
	if err != nil {
		return nil, fmt.Errorf("organization choices: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Organization, error) {
		var o peerboard.Organization
		err := r.Scan(&o.ID, &o.Name)
		return o, err
	})
}

// ChangeRole gives the account id role (and organization orgID for a
// trainer) for the admin in ctx, who may not take the admin role from
// themselves. It reports whether anything changed: submitting the same
// role twice writes no second audit event. The user's next request gets a
// new session token (see the server's authenticate middleware).
func (db *DB) ChangeRole(ctx context.Context, id int64, role peerboard.Role, orgID *int64) (changed bool, err error) {
	actor := peerboard.UserFromContext(ctx)
	if !peerboard.CanAdminister(actor) {
		return false, peerboard.Errorf(peerboard.EFORBIDDEN, "Only board admins change roles.")
	}
	target, err := db.UserByID(ctx, id)
	if err != nil {
		return false, err
	}
	if err := peerboard.CheckRoleChange(actor, target, role, orgID); err != nil {
		return false, err
	}
	if role != peerboard.RoleTrainer {
		orgID = nil
	}
	if target.Role == role && equalID(target.OrganizationID, orgID) {
		return false, nil
	}
	if orgID != nil {
		if _, err := db.OrganizationByID(ctx, *orgID); peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			return false, peerboard.FieldErrors("The role was not changed.",
				map[string]string{"organization_id": "Choose a training organization from the list."})
		} else if err != nil {
			return false, err
		}
	}
	return true, db.SetUserRole(ctx, id, role, orgID)
}

func equalID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// CreateStaffAccount validates a and opens the account for the admin in
// ctx, audited by CreateUser. A taken email is a field error on email.
func (db *DB) CreateStaffAccount(ctx context.Context, a peerboard.StaffAccount) (*peerboard.User, error) {
	if !peerboard.CanAdminister(peerboard.UserFromContext(ctx)) {
		return nil, peerboard.Errorf(peerboard.EFORBIDDEN, "Only board admins open staff accounts.")
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.OrganizationID != nil {
		if _, err := db.OrganizationByID(ctx, *a.OrganizationID); peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			return nil, peerboard.FieldErrors("Check the highlighted fields.",
				map[string]string{"organization_id": "Choose a training organization from the list."})
		} else if err != nil {
			return nil, err
		}
	}
	hash, err := peerboard.HashPassword(a.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	// The admin vouches for the address they typed, as CreateUser expects
	// of accounts opened by staff.
	verified := db.Now()
	u := &peerboard.User{Email: a.Email, Name: a.Name, Role: a.Role, OrganizationID: a.OrganizationID, PasswordHash: hash,
		EmailVerifiedAt: &verified}
	if err := db.CreateUser(ctx, u); err != nil {
		if f := peerboard.ErrorFields(err); f["email"] != "" {
			return nil, peerboard.FieldErrors("Check the highlighted fields.",
				map[string]string{"email": "An account with that email already exists."})
		}
		return nil, err
	}
	return u, nil
}

// CredentialDiscipline is a credential, its holder and every discipline
// action recorded on it, public or not, for the admin's discipline page.
type CredentialDiscipline struct {
	peerboard.Credential
	HolderName string
	Actions    []peerboard.DisciplineRecord
}

// maxDisciplineShown bounds the list of a credential's discipline actions;
// a credential carries a handful, so one page is enough.
const maxDisciplineShown = 200

// DisciplineOfCredential returns credential id with its holder's account
// name and its discipline actions, newest effective first, or ENOTFOUND.
func (db *DB) DisciplineOfCredential(ctx context.Context, id int64) (*CredentialDiscipline, error) {
	var cd CredentialDiscipline
	c := &cd.Credential
	err := db.Pool.QueryRow(ctx, `SELECT c.id, c.number, c.user_id, c.credential_type_id, t.code, t.name, c.application_id,
		c.status, c.first_name, c.last_name, c.family_modifier, c.issued_on, c.expires_on, c.version, c.updated_at, u.name
		FROM credentials c JOIN credential_types t ON t.id = c.credential_type_id JOIN users u ON u.id = c.user_id
		WHERE c.id = $1`, id).Scan(&c.ID, &c.Number, &c.UserID, &c.CredentialTypeID, &c.CredentialTypeCode,
		&c.CredentialTypeName, &c.ApplicationID, &c.Status, &c.FirstName, &c.LastName, &c.FamilyModifier,
		&c.IssuedOn, &c.ExpiresOn, &c.Version, &c.UpdatedAt, &cd.HolderName)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT a.id, a.credential_id, a.action, a.public_summary, a.effective_on, a.ends_on, a.public,
		       coalesce(u.name, 'System'), a.created_at
		FROM discipline_actions a LEFT JOIN users u ON u.id = a.created_by
		WHERE a.credential_id = $1
		ORDER BY a.effective_on DESC, a.id DESC
		LIMIT $2`, id, maxDisciplineShown)
	if err != nil {
		return nil, fmt.Errorf("discipline of credential %d: %w", id, err)
	}
	cd.Actions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.DisciplineRecord, error) {
		var d peerboard.DisciplineRecord
		err := r.Scan(&d.ID, &d.CredentialID, &d.Action, &d.PublicSummary, &d.EffectiveOn, &d.EndsOn, &d.Public,
			&d.CreatedByName, &d.CreatedAt)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("discipline of credential %d: %w", id, err)
	}
	return &cd, nil
}

// DisciplineOutcome is what recording a discipline action did.
type DisciplineOutcome struct {
	ID int64
	// From and To are the credential's status before and after; equal when
	// the action left it alone.
	From, To peerboard.CredentialStatus
	// StatusNote says why a suspension or revocation did not change the
	// status (already suspended, takes effect later ...); "" otherwise.
	StatusNote string
}

// StatusChanged reports whether the action changed the credential's status.
func (o *DisciplineOutcome) StatusChanged() bool { return o.From != o.To }

// RecordDiscipline records a discipline action on credential id, which the
// admin in ctx saw at version, and whether the public verification shows
// it. In the same transaction, a suspension or revocation that is already
// in effect moves the credential's status (when the lifecycle allows it),
// tells the holder by mail, and every change writes its audit event. A stale
// version (e.g. the same form submitted twice) is an ECONFLICT and records
// nothing.
func (db *DB) RecordDiscipline(ctx context.Context, id int64, version int, d peerboard.DisciplineAction, public bool) (*DisciplineOutcome, error) {
	var out *DisciplineOutcome
	err := db.Transact(ctx, func(tx pgx.Tx) (err error) {
		out, err = db.recordDiscipline(ctx, tx, id, &version, d, public)
		return err
	})
	return out, err
}

// recordDiscipline is RecordDiscipline inside tx; a nil version skips the
// check, for callers that did not show the credential to anyone.
func (db *DB) recordDiscipline(ctx context.Context, tx pgx.Tx, id int64, version *int, d peerboard.DisciplineAction, public bool) (*DisciplineOutcome, error) {
	actor := peerboard.UserFromContext(ctx)
	if !peerboard.CanAdminister(actor) {
		return nil, peerboard.Errorf(peerboard.EFORBIDDEN, "Only board admins record discipline.")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	h, err := heldCredential(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if version != nil && *version != h.Version {
		return nil, peerboard.Errorf(peerboard.ECONFLICT,
			"This credential changed while you were looking at it (it is now %s). Check the actions below before recording this one again.",
			strings.ToLower(h.Status.Label()))
	}
	out := &DisciplineOutcome{From: h.Status, To: h.Status}
	err = tx.QueryRow(ctx, `
		INSERT INTO discipline_actions (credential_id, action, public_summary, effective_on, ends_on, public, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		id, d.Action, d.PublicSummary, DateOf(d.EffectiveOn), dateOnly(d.EndsOn), public, actor.ID).Scan(&out.ID)
	if err != nil {
		return nil, mapError(err, "Discipline action")
	}
	e := peerboard.NewAuditEvent(actor, "", "credential.discipline_added", "credential", id)
	after := map[string]any{"discipline_action_id": out.ID, "action": d.Action, "public_summary": d.PublicSummary,
		"effective_on": DateOf(d.EffectiveOn).Format(time.DateOnly), "public": public}
	if d.EndsOn != nil {
		after["ends_on"] = DateOf(*d.EndsOn).Format(time.DateOnly)
	}
	e.After = after
	if err := insertAudit(ctx, tx, e); err != nil {
		return nil, err
	}

	to, imposes := peerboard.DisciplineStatus(d.Action)
	switch {
	case !imposes:
	case DateOf(d.EffectiveOn).After(db.Today()):
		out.StatusNote = fmt.Sprintf("The status stays %s: the %s takes effect on %s, and nothing changes the status on that day by itself yet.",
			strings.ToLower(h.Status.Label()), strings.ToLower(peerboard.DisciplineLabel(d.Action)),
			DateOf(d.EffectiveOn).Format(peerboard.DateLayout))
	default:
		if err := peerboard.CheckCredentialTransition(h.Status, to, peerboard.ActorStaff); err != nil {
			out.StatusNote = "The status was not changed: " + peerboard.ErrorMessage(err) + "."
			break
		}
		out.To = to
	}
	// The version moves even when the status does not, so a second submit
	// of the same form is refused as stale.
	err = tx.QueryRow(ctx, `UPDATE credentials SET status = $2, version = version + 1,
		updated_at = CASE WHEN status = $2 THEN updated_at ELSE now() END
		WHERE id = $1 RETURNING version`, id, out.To).Scan(&h.Version)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	if !out.StatusChanged() {
		return out, nil
	}
	mail := peerboard.StatusChangedMail(h.HolderEmail, h.HolderName, h.Number, h.CredentialTypeName, out.To, db.BaseURL)
	if err := db.queueMail(ctx, tx, mail); err != nil {
		return nil, err
	}
	se := peerboard.NewAuditEvent(actor, "", "credential.status_changed", "credential", id)
	se.Before = map[string]any{"status": out.From}
	se.After = map[string]any{"status": out.To, "version": h.Version, "discipline_action_id": out.ID}
	se.Reason = "Discipline: " + strings.ToLower(peerboard.DisciplineLabel(d.Action))
	if err := insertAudit(ctx, tx, se); err != nil {
		return nil, fmt.Errorf("status change of credential %d: %w", id, err)
	}
	return out, nil
}
