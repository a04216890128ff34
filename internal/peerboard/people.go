package peerboard

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxDisciplineSummary bounds a discipline action's public summary: the
// verification page shows it to anyone, so it stays a short statement.
const MaxDisciplineSummary = 500

// The discipline actions of DOMAIN.md (a dismissed complaint is no action).
const (
	DisciplineReprimand  = "reprimand"
	DisciplineProbation  = "probation"
	DisciplineSuspension = "suspension"
	DisciplineRevocation = "revocation"
	DisciplineSurrender  = "surrender"
)

// DisciplineActions lists the actions a board admin may record, mildest first.
var DisciplineActions = []string{DisciplineReprimand, DisciplineProbation, DisciplineSuspension,
	DisciplineRevocation, DisciplineSurrender}

// DisciplineLabel returns an action as people read it.
func DisciplineLabel(action string) string {
	switch action {
	case DisciplineReprimand:
		return "Reprimand"
	case DisciplineProbation:
		return "Probation"
	case DisciplineSuspension:
		return "Suspension"
	case DisciplineRevocation:
		return "Revocation"
	case DisciplineSurrender:
		return "Surrender"
	}
	return "Unknown action"
}

// DisciplineStatus returns the credential status a discipline action
// imposes, and false for actions that leave the status alone. Discipline is
// a separate fact from the status, but a suspension does suspend and a
// revocation does revoke. A surrender under discipline is the holder's act
// and goes through the holder's own status change.
func DisciplineStatus(action string) (CredentialStatus, bool) {
	switch action {
	case DisciplineSuspension:
		return CredSuspended, true
	case DisciplineRevocation:
		return CredRevoked, true
	}
	return "", false
}

// Validate trims the summary and checks the action, returning field errors
// keyed action, public_summary and ends_on (effective_on when missing).
func (d *DisciplineAction) Validate() error {
	d.PublicSummary = strings.TrimSpace(d.PublicSummary)
	fields := map[string]string{}
	if DisciplineLabel(d.Action) == "Unknown action" {
		fields["action"] = "Choose the action taken."
	}
	switch n := utf8.RuneCountInString(d.PublicSummary); {
	case n == 0:
		fields["public_summary"] = "Enter the summary the public will read."
	case n > MaxDisciplineSummary:
		fields["public_summary"] = "Keep the summary to 500 characters or fewer."
	}
	if d.EffectiveOn.IsZero() {
		fields["effective_on"] = "Enter the date the action takes effect."
	} else if d.EndsOn != nil && d.EndsOn.Before(d.EffectiveOn) {
		fields["ends_on"] = "The end date must be on or after the effective date."
	}
	if len(fields) > 0 {
		return FieldErrors("Check the highlighted fields.", fields)
	}
	return nil
}

// DisciplineRecord is a discipline action as the board keeps it: the fact,
// whether the public verification shows it, and who recorded it when.
type DisciplineRecord struct {
	DisciplineAction
	ID            int64
	CredentialID  int64
	Public        bool
	CreatedByName string
	CreatedAt     time.Time
}

// StaffAccount is what a board admin types to open an account for a
// reviewer, another admin or a training organization's trainer. Applicants
// register themselves.
type StaffAccount struct {
	Name           string
	Email          string
	Role           Role
	OrganizationID *int64
	Password       string
}

// StaffAccountRoles are the roles an admin may open an account with.
var StaffAccountRoles = []Role{RoleReviewer, RoleAdmin, RoleTrainer}

// Validate normalizes the account and checks it, returning field errors
// keyed name, email, role, organization_id and password.
func (a *StaffAccount) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Email = NormalizeEmail(a.Email)
	fields := map[string]string{}
	switch {
	case a.Name == "":
		fields["name"] = "Enter the person's full name."
	case utf8.RuneCountInString(a.Name) > 200:
		fields["name"] = "The name must be 200 characters or fewer."
	}
	if a.Email == "" {
		fields["email"] = "Enter the person's email address."
	} else if !ValidEmail(a.Email) {
		fields["email"] = "Enter an email address like name@example.org."
	}
	if a.Role != RoleReviewer && a.Role != RoleAdmin && a.Role != RoleTrainer {
		fields["role"] = "Choose reviewer, board admin or training organization."
	}
	if msg := organizationError(a.Role, a.OrganizationID); msg != "" {
		fields["organization_id"] = msg
	}
	if err := ValidatePassword(a.Password, a.Email, a.Name); err != nil {
		fields["password"] = ErrorMessage(err)
	}
	if len(fields) > 0 {
		return FieldErrors("Check the highlighted fields.", fields)
	}
	if a.Role != RoleTrainer {
		a.OrganizationID = nil
	}
	return nil
}

// organizationError says what is wrong with an organization for role: a
// trainer needs one and nobody else has one (a non-trainer's choice is
// ignored, since the form keeps the select visible for every role).
func organizationError(role Role, orgID *int64) string {
	if role == RoleTrainer && orgID == nil {
		return "Choose the training organization this person acts for."
	}
	return ""
}

// CheckRoleChange returns field errors (role, organization_id) unless actor
// may give target role with organization orgID. An admin may not take the
// admin role from themselves: the board would risk having no admin, and
// the mistake could not be undone from their own account.
func CheckRoleChange(actor, target *User, role Role, orgID *int64) error {
	fields := map[string]string{}
	switch {
	case !role.Valid():
		fields["role"] = "Choose a role."
	case actor != nil && actor.ID == target.ID && role != RoleAdmin:
		fields["role"] = "You cannot remove your own board admin role. Ask another board admin to do it."
	}
	if msg := organizationError(role, orgID); msg != "" {
		fields["organization_id"] = msg
	}
	if len(fields) > 0 {
		return FieldErrors("The role was not changed.", fields)
	}
	return nil
}
