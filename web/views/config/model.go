// Package config renders the board admin's configuration pages: credential
// types with every configurable requirement, and training organizations
// with their approval dates.
package config

import (
	"strconv"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// TypeForm is the credential type form as typed: strings for numbers,
// dates and money, so a rejected value is shown back exactly as entered.
// Input names are the snake_case column names Validate reports errors under,
// except the fees, which are typed in dollars (fee_id, fee_application,
// fee_exam) and stored in cents.
type TypeForm struct {
	Version string

	Code, Name, Description, NumberPrefix string
	Active                                bool

	CycleMonths, AppealDays string

	StandardEnabled        bool
	TrainingHours          string
	RequireAllCompetencies bool
	RequireEthicsModule    bool
	SupervisedHours        string
	ExamRequired           bool
	ExamAuthorizationDays  string
	ExamRetakeWaitDays     string
	ExamMaxAttempts        string

	GrandparentingEnabled        bool
	GrandparentingTrainingCutoff string
	GrandparentingApplyUntil     string

	CEHoursPerCycle, CEEthicsHours, CESelfReportedCap string
	RenewalWindowDays, GraceDays, AuditPercent        string
	ReminderDays                                      string

	FeeID, FeeApplication, FeeExam string
}

// TypeFieldOrder is the order of the form's fields, for the error summary.
var TypeFieldOrder = []string{"code", "name", "description", "number_prefix", "active",
	"cycle_months", "appeal_days",
	"standard_enabled", "training_hours", "require_all_competencies", "require_ethics_module", "supervised_hours",
	"exam_required", "exam_authorization_days", "exam_retake_wait_days", "exam_max_attempts",
	"grandparenting_enabled", "grandparenting_training_cutoff", "grandparenting_apply_until",
	"ce_hours_per_cycle", "ce_ethics_hours", "ce_self_reported_cap", "renewal_window_days", "grace_days",
	"audit_percent", "reminder_days", "fee_id", "fee_application", "fee_exam"}

// typeFieldLabels names each field as the form labels it, for the list of
// unsaved changes on a conflict.
var typeFieldLabels = map[string]string{
	"code": "Code", "name": "Name", "description": "Description", "number_prefix": "Credential number prefix",
	"active": "Accepting applications", "cycle_months": "Certification cycle", "appeal_days": "Appeal window",
	"standard_enabled": "Standard pathway offered", "training_hours": "Approved training",
	"require_all_competencies": "All twelve competencies required", "require_ethics_module": "Ethics module required",
	"supervised_hours": "Supervised work", "exam_required": "Exam required",
	"exam_authorization_days": "Exam authorization valid for", "exam_retake_wait_days": "Wait before a retake",
	"exam_max_attempts": "Exam attempts allowed", "grandparenting_enabled": "Grandparenting pathway offered",
	"grandparenting_training_cutoff": "Prior training completed by", "grandparenting_apply_until": "Applications accepted until",
	"ce_hours_per_cycle": "CE per cycle", "ce_ethics_hours": "CE in ethics",
	"ce_self_reported_cap": "Self-reported CE counted at most", "renewal_window_days": "Renewal opens",
	"grace_days": "Grace period", "audit_percent": "Renewals audited", "reminder_days": "Reminders",
	"fee_id": "ID fee", "fee_application": "Application fee", "fee_exam": "Exam fee",
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// values returns each field's value as shown on the form, keyed by input name.
func (f TypeForm) values() map[string]string {
	return map[string]string{
		"code": f.Code, "name": f.Name, "description": f.Description, "number_prefix": f.NumberPrefix,
		"active": yesNo(f.Active), "cycle_months": f.CycleMonths, "appeal_days": f.AppealDays,
		"standard_enabled": yesNo(f.StandardEnabled), "training_hours": f.TrainingHours,
		"require_all_competencies": yesNo(f.RequireAllCompetencies), "require_ethics_module": yesNo(f.RequireEthicsModule),
		"supervised_hours": f.SupervisedHours, "exam_required": yesNo(f.ExamRequired),
		"exam_authorization_days": f.ExamAuthorizationDays, "exam_retake_wait_days": f.ExamRetakeWaitDays,
		"exam_max_attempts": f.ExamMaxAttempts, "grandparenting_enabled": yesNo(f.GrandparentingEnabled),
		"grandparenting_training_cutoff": f.GrandparentingTrainingCutoff, "grandparenting_apply_until": f.GrandparentingApplyUntil,
		"ce_hours_per_cycle": f.CEHoursPerCycle, "ce_ethics_hours": f.CEEthicsHours, "ce_self_reported_cap": f.CESelfReportedCap,
		"renewal_window_days": f.RenewalWindowDays, "grace_days": f.GraceDays, "audit_percent": f.AuditPercent,
		"reminder_days": f.ReminderDays, "fee_id": f.FeeID, "fee_application": f.FeeApplication, "fee_exam": f.FeeExam,
	}
}

// Change is one field whose unsaved value differs from the saved one.
type Change struct {
	Field, Label, Yours, Saved string
}

// UnsavedChanges lists the fields where yours (the form that arrived too
// late) differs from saved (the values now stored), in form order.
func UnsavedChanges(yours, saved TypeForm) []Change {
	y, s := yours.values(), saved.values()
	var out []Change
	for _, k := range TypeFieldOrder {
		if y[k] != s[k] {
			out = append(out, Change{Field: k, Label: typeFieldLabels[k], Yours: y[k], Saved: s[k]})
		}
	}
	return out
}

func dateInput(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

func hours(h float64) string { return peerboard.FormatHours(h) }

// FormFromType fills the form with a stored credential type's values.
func FormFromType(t peerboard.CredentialType) TypeForm {
	f := TypeForm{
		Version: strconv.Itoa(t.Version),
		Code:    t.Code, Name: t.Name, Description: t.Description, NumberPrefix: t.NumberPrefix, Active: t.Active,
		CycleMonths: strconv.Itoa(t.CycleMonths), AppealDays: strconv.Itoa(t.AppealDays),
		StandardEnabled: t.StandardEnabled, TrainingHours: hours(t.TrainingHours),
		RequireAllCompetencies: t.RequireAllCompetencies, RequireEthicsModule: t.RequireEthicsModule,
		SupervisedHours: strconv.Itoa(t.SupervisedHours), ExamRequired: t.ExamRequired,
		ExamAuthorizationDays: strconv.Itoa(t.ExamAuthorizationDays), ExamRetakeWaitDays: strconv.Itoa(t.ExamRetakeWaitDays),
		ExamMaxAttempts:       strconv.Itoa(t.ExamMaxAttempts),
		GrandparentingEnabled: t.GrandparentingEnabled, GrandparentingTrainingCutoff: dateInput(t.GrandparentingTrainingCutoff),
		GrandparentingApplyUntil: dateInput(t.GrandparentingApplyUntil),
		CEHoursPerCycle:          hours(t.CEHoursPerCycle), CEEthicsHours: hours(t.CEEthicsHours),
		RenewalWindowDays: strconv.Itoa(t.RenewalWindowDays), GraceDays: strconv.Itoa(t.GraceDays),
		AuditPercent: strconv.Itoa(t.AuditPercent), ReminderDays: peerboard.FormatDayList(t.ReminderDays),
		FeeID: peerboard.FormatDollars(t.FeeIDCents), FeeApplication: peerboard.FormatDollars(t.FeeApplicationCents),
		FeeExam: peerboard.FormatDollars(t.FeeExamCents),
	}
	if t.CESelfReportedCap != nil {
		f.CESelfReportedCap = hours(*t.CESelfReportedCap)
	}
	return f
}

// TypesModel is the list of credential types.
type TypesModel struct {
	Types []peerboard.CredentialType
}

// TypeFormModel is the new or edit form of a credential type.
type TypeFormModel struct {
	// ID is zero for a new type.
	ID int64
	// StoredCode is the saved code of the type being edited, for the heading.
	StoredCode string
	Form       TypeForm
	Errors     views.Errors
	Message    string
	// Conflict is set when the admin's save arrived after someone else's:
	// the form shows the saved values and Unsaved lists what was lost.
	Conflict bool
	Unsaved  []Change
	// PrefixFixed is set when the type has issued credentials, so the
	// number prefix can no longer change.
	PrefixFixed bool
}

// Action is where the form posts.
func (m TypeFormModel) Action() string {
	if m.ID == 0 {
		return "/admin/credential-types/new"
	}
	return TypeURL(m.ID)
}

// TypeURL is the edit page of credential type id.
func TypeURL(id int64) string { return "/admin/credential-types/" + strconv.FormatInt(id, 10) }

// OrgURL is the edit page of organization id.
func OrgURL(id int64) string { return "/admin/organizations/" + strconv.FormatInt(id, 10) }

// OrgRow is an organization in the list with whether it is approved today.
type OrgRow struct {
	peerboard.Organization
	ApprovedToday bool
}

// OrgsModel is one page of training organizations.
type OrgsModel struct {
	Orgs       []OrgRow
	Prev, Next string
}

// OrgForm is the organization form as typed.
type OrgForm struct {
	Name, ContactEmail, ApprovedFrom, ApprovedUntil string
}

// FormFromOrg fills the form with a stored organization's values.
func FormFromOrg(o peerboard.Organization) OrgForm {
	return OrgForm{Name: o.Name, ContactEmail: o.ContactEmail,
		ApprovedFrom: dateInput(o.ApprovedFrom), ApprovedUntil: dateInput(o.ApprovedUntil)}
}

// OrgFormModel is the new or edit form of an organization.
type OrgFormModel struct {
	ID int64 // zero for a new organization
	// StoredName is the saved name of the organization being edited, for the heading.
	StoredName string
	Form       OrgForm
	Errors     views.Errors
	Message    string
}

// Action is where the form posts.
func (m OrgFormModel) Action() string {
	if m.ID == 0 {
		return "/admin/organizations/new"
	}
	return OrgURL(m.ID)
}

func longDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format("January 2, 2006")
}

func money(cents int) string { return "$" + peerboard.FormatDollars(cents) }

func itoa(n int) string { return strconv.Itoa(n) }
