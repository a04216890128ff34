package peerboard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Validate checks a training organization a board admin entered and returns
// per-field messages keyed by snake_case column name. Blank approval dates
// mean "not approved"; a blank end date means approved with no end.
func (o Organization) Validate() error {
	f := map[string]string{}
	switch name := strings.TrimSpace(o.Name); {
	case name == "":
		f["name"] = "Enter the organization's name"
	case utf8.RuneCountInString(name) > 200:
		f["name"] = "At most 200 characters"
	}
	if o.ContactEmail != "" && !ValidEmail(o.ContactEmail) {
		f["contact_email"] = "Enter an email address like name@example.org"
	}
	if o.ApprovedFrom == nil && o.ApprovedUntil != nil {
		f["approved_from"] = "Enter the date the approval starts, or clear the end date"
	}
	if o.ApprovedFrom != nil && o.ApprovedUntil != nil && dateOf(*o.ApprovedUntil).Before(dateOf(*o.ApprovedFrom)) {
		f["approved_until"] = "Must be on or after the approval's start date"
	}
	if len(f) > 0 {
		return FieldErrors("Please correct the organization's details", f)
	}
	return nil
}

// ParseDollars reads an amount of money typed in dollars ("150", "150.00",
// "$1,500.5") into cents, without floating-point rounding.
func ParseDollars(s string) (int, error) {
	invalid := Errorf(EINVALID, "Enter an amount in dollars, like 150 or 150.00")
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || dot && frac == "" || len(frac) > 2 || len(whole) > 7 || !allDigits(whole) || !allDigits(frac) {
		return 0, invalid
	}
	dollars, err := strconv.Atoi(whole)
	if err != nil {
		return 0, invalid
	}
	cents := 0
	if frac != "" {
		cents, _ = strconv.Atoi((frac + "0")[:2])
	}
	return dollars*100 + cents, nil
}

// FormatDollars shows cents as dollars with two decimals, e.g. 15000 → "150.00".
func FormatDollars(cents int) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// ParseDayList reads a comma-separated list of day counts, e.g. "90, 60, 30, 7",
// sorted from the largest down; blank means none.
func ParseDayList(s string) ([]int, error) {
	out := []int{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || !allDigits(part) {
			return nil, Errorf(EINVALID, "Enter whole numbers of days separated by commas, like 90, 60, 30, 7")
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b int) int { return b - a })
	return out, nil
}

// FormatDayList is the inverse of ParseDayList: "90, 60, 30, 7".
func FormatDayList(days []int) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ", ")
}

// Settings returns a credential type's configurable fields keyed by their
// snake_case column names, in plain JSON-friendly values (dates as
// YYYY-MM-DD, nil for "none"), for audit events and change lists.
func (t CredentialType) Settings() map[string]any {
	date := func(d *time.Time) any {
		if d == nil {
			return nil
		}
		return d.Format(time.DateOnly)
	}
	var selfCap any
	if t.CESelfReportedCap != nil {
		selfCap = *t.CESelfReportedCap
	}
	days := t.ReminderDays
	if days == nil {
		days = []int{}
	}
	return map[string]any{
		"code": t.Code, "name": t.Name, "description": t.Description, "number_prefix": t.NumberPrefix,
		"active": t.Active, "cycle_months": t.CycleMonths, "appeal_days": t.AppealDays,
		"standard_enabled": t.StandardEnabled, "training_hours": t.TrainingHours,
		"require_all_competencies": t.RequireAllCompetencies, "require_ethics_module": t.RequireEthicsModule,
		"supervised_hours": t.SupervisedHours, "exam_required": t.ExamRequired,
		"exam_authorization_days": t.ExamAuthorizationDays, "exam_retake_wait_days": t.ExamRetakeWaitDays,
		"exam_max_attempts": t.ExamMaxAttempts, "grandparenting_enabled": t.GrandparentingEnabled,
		"grandparenting_training_cutoff": date(t.GrandparentingTrainingCutoff),
		"grandparenting_apply_until":     date(t.GrandparentingApplyUntil),
		"ce_hours_per_cycle":             t.CEHoursPerCycle, "ce_ethics_hours": t.CEEthicsHours,
		"ce_self_reported_cap": selfCap, "renewal_window_days": t.RenewalWindowDays, "grace_days": t.GraceDays,
		"audit_percent": t.AuditPercent, "reminder_days": slices.Clone(days),
		"fee_id_cents": t.FeeIDCents, "fee_application_cents": t.FeeApplicationCents, "fee_exam_cents": t.FeeExamCents,
	}
}

// Settings returns an organization's editable fields keyed by column name.
func (o Organization) Settings() map[string]any {
	date := func(d *time.Time) any {
		if d == nil {
			return nil
		}
		return d.Format(time.DateOnly)
	}
	return map[string]any{"name": o.Name, "contact_email": o.ContactEmail,
		"approved_from": date(o.ApprovedFrom), "approved_until": date(o.ApprovedUntil)}
}

// ChangedSettings returns the entries of before and after that differ, so an
// audit event records what an edit changed and nothing else.
func ChangedSettings(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, av := range after {
		bv := before[k]
		if fmt.Sprint(bv) != fmt.Sprint(av) || (bv == nil) != (av == nil) {
			b[k], a[k] = bv, av
		}
	}
	return b, a
}
