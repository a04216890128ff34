package peerboard

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CredentialType holds the requirement settings of one credential a board
// issues; they are data a board admin edits, never constants in code.
type CredentialType struct {
	ID           int64
	Code         string // short code, e.g. "CPSRP"
	Name         string
	Description  string
	NumberPrefix string // letters that start every credential number
	Active       bool   // accepting applications

	CycleMonths int // length of a certification cycle
	AppealDays  int // days a denied applicant has to appeal

	StandardEnabled        bool
	TrainingHours          float64
	RequireAllCompetencies bool
	RequireEthicsModule    bool
	SupervisedHours        int
	ExamRequired           bool
	ExamAuthorizationDays  int
	ExamRetakeWaitDays     int
	ExamMaxAttempts        int

	GrandparentingEnabled        bool
	GrandparentingTrainingCutoff *time.Time // prior training completed on or before this date
	GrandparentingApplyUntil     *time.Time // last day to apply; nil means no closing date

	CEHoursPerCycle   float64
	CEEthicsHours     float64
	CESelfReportedCap *float64 // nil means self-reported hours are not capped
	RenewalWindowDays int      // renewal opens this many days before expiry
	GraceDays         int      // late renewal allowed this many days after expiry
	AuditPercent      int      // share of renewals picked for a CE audit
	ReminderDays      []int    // reminders go out this many days before expiry

	FeeIDCents          int
	FeeApplicationCents int
	FeeExamCents        int

	Version   int // optimistic-locking version, bumped by the SQL layer
	UpdatedAt time.Time
}

// DefaultCPSRP returns the Connecticut CPSRP settings from the seed documents,
// used to seed the first credential type.
func DefaultCPSRP() CredentialType {
	cutoff := time.Date(2026, time.May, 31, 0, 0, 0, 0, time.UTC)
	until := time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
	return CredentialType{
		Code:         "CPSRP",
		Name:         "Certified Peer Support & Recovery Professional",
		Description:  "Connecticut credential for peer support workers with lived experience of recovery, themselves or in their family.",
		NumberPrefix: "CPSRP",
		Active:       true,
		CycleMonths:  24,
		AppealDays:   30,

		StandardEnabled:        true,
		TrainingHours:          80,
		RequireAllCompetencies: true,
		RequireEthicsModule:    true,
		SupervisedHours:        300,
		ExamRequired:           true,
		ExamAuthorizationDays:  365,
		ExamRetakeWaitDays:     30,
		ExamMaxAttempts:        3,

		GrandparentingEnabled:        true,
		GrandparentingTrainingCutoff: &cutoff,
		GrandparentingApplyUntil:     &until,

		CEHoursPerCycle:   20,
		CEEthicsHours:     3,
		RenewalWindowDays: 90,
		GraceDays:         90,
		AuditPercent:      10,
		ReminderDays:      []int{90, 60, 30, 7},

		FeeIDCents:          5000,
		FeeApplicationCents: 15000,
		FeeExamCents:        15000,
		Version:             1,
	}
}

// Validate checks the settings a board admin entered and returns per-field
// messages keyed by snake_case field name.
func (t CredentialType) Validate() error {
	f := map[string]string{}
	checkText := func(key, val string, max int, required bool) {
		val = strings.TrimSpace(val)
		switch {
		case required && val == "":
			f[key] = "Required"
		case utf8.RuneCountInString(val) > max:
			f[key] = fmt.Sprintf("At most %d characters", max)
		}
	}
	checkRange := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			f[key] = fmt.Sprintf("Must be between %d and %d", lo, hi)
		}
	}
	// The same limits as the database's checks on code and number_prefix.
	checkText("code", t.Code, 12, true)
	if _, ok := f["code"]; !ok && (!isUpperAlnum(t.Code) || len(t.Code) < 2 || t.Code[0] < 'A' || t.Code[0] > 'Z') {
		f["code"] = "Use 2 to 12 capital letters and digits, starting with a letter"
	}
	checkText("name", t.Name, 200, true)
	checkText("description", t.Description, 5000, false)
	checkText("number_prefix", t.NumberPrefix, 8, true)
	if _, ok := f["number_prefix"]; !ok && (strings.Trim(t.NumberPrefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || len(t.NumberPrefix) < 2) {
		f["number_prefix"] = "Use 2 to 8 capital letters"
	}
	checkRange("cycle_months", t.CycleMonths, 1, 120)
	checkRange("appeal_days", t.AppealDays, 0, 365)

	if !t.StandardEnabled && !t.GrandparentingEnabled {
		f["standard_enabled"] = "Enable at least one pathway"
	}
	if t.TrainingHours < 0 || t.TrainingHours > 10000 {
		f["training_hours"] = "Must be between 0 and 10000"
	}
	checkRange("supervised_hours", t.SupervisedHours, 0, 100000)
	if t.ExamRequired {
		checkRange("exam_authorization_days", t.ExamAuthorizationDays, 1, 3650)
		checkRange("exam_max_attempts", t.ExamMaxAttempts, 1, 100)
	}
	checkRange("exam_retake_wait_days", t.ExamRetakeWaitDays, 0, 3650)

	if t.GrandparentingEnabled {
		if t.GrandparentingTrainingCutoff == nil {
			f["grandparenting_training_cutoff"] = "Required when grandparenting is enabled"
		}
		if t.GrandparentingTrainingCutoff != nil && t.GrandparentingApplyUntil != nil &&
			dateOf(*t.GrandparentingApplyUntil).Before(dateOf(*t.GrandparentingTrainingCutoff)) {
			f["grandparenting_apply_until"] = "Must not be before the training cut-off"
		}
	}

	if t.CEHoursPerCycle < 0 || t.CEHoursPerCycle > 1000 {
		f["ce_hours_per_cycle"] = "Must be between 0 and 1000"
	}
	if t.CEEthicsHours < 0 || t.CEEthicsHours > t.CEHoursPerCycle {
		f["ce_ethics_hours"] = "Must be between 0 and the CE hours per cycle"
	}
	if t.CESelfReportedCap != nil && *t.CESelfReportedCap < 0 {
		f["ce_self_reported_cap"] = "Must not be negative"
	}
	checkRange("renewal_window_days", t.RenewalWindowDays, 0, 365)
	checkRange("grace_days", t.GraceDays, 0, 3650)
	checkRange("audit_percent", t.AuditPercent, 0, 100)
	seen := map[int]bool{}
	for _, d := range t.ReminderDays {
		if d < 1 || d > 365 || seen[d] {
			f["reminder_days"] = "Use distinct days between 1 and 365"
		}
		seen[d] = true
	}
	for key, cents := range map[string]int{"fee_id_cents": t.FeeIDCents, "fee_application_cents": t.FeeApplicationCents, "fee_exam_cents": t.FeeExamCents} {
		if cents < 0 {
			f[key] = "Must not be negative"
		}
	}
	if len(f) > 0 {
		return FieldErrors("Please correct the credential type settings", f)
	}
	return nil
}

// GrandparentingOpen reports whether grandparenting applications are accepted
// today: the pathway is enabled and today is on or before the closing date.
func (t CredentialType) GrandparentingOpen(today time.Time) bool {
	if !t.GrandparentingEnabled {
		return false
	}
	return t.GrandparentingApplyUntil == nil || !dateOf(today).After(dateOf(*t.GrandparentingApplyUntil))
}

// Pathways returns the pathways an applicant may choose today; none when the
// credential type is not accepting applications.
func (t CredentialType) Pathways(today time.Time) []Pathway {
	var ps []Pathway
	if !t.Active {
		return ps
	}
	if t.StandardEnabled {
		ps = append(ps, PathwayStandard)
	}
	if t.GrandparentingOpen(today) {
		ps = append(ps, PathwayGrandparenting)
	}
	return ps
}

// ExpiryFor returns the expiry date of a credential issued on issued: one
// cycle later, on the last day of the month when that day does not exist.
func (t CredentialType) ExpiryFor(issued time.Time) time.Time {
	return addMonths(dateOf(issued), t.CycleMonths)
}

// dateOf returns the calendar date of t (in t's own location) as midnight UTC,
// so that dates compare and subtract without time-of-day or zone surprises.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysFrom returns the number of calendar days from a to b (negative when b is
// before a).
func daysFrom(a, b time.Time) int {
	return int(dateOf(b).Sub(dateOf(a)).Hours() / 24)
}

// addMonths adds n months to a date, clamping to the month's last day
// (2026-01-31 + 1 month = 2026-02-28, not 2026-03-03).
func addMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}

// isUpperAlnum reports whether s is non-empty and only A-Z and 0-9.
func isUpperAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
