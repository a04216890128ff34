package peerboard

import (
	"slices"
	"sort"
	"testing"
	"time"
)

// dayUTC returns midnight UTC of a calendar date, for test tables.
func dayUTC(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func dayPtr(y int, m time.Month, d int) *time.Time { t := dayUTC(y, m, d); return &t }

// checkFieldKeys fails unless err is an EINVALID *Error whose Fields have
// exactly the given keys (none means err must be nil).
func checkFieldKeys(t *testing.T, err error, keys ...string) {
	t.Helper()
	if len(keys) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v %v", err, ErrorFields(err))
		}
		return
	}
	if ErrorCode(err) != EINVALID {
		t.Fatalf("error code = %q, want %q (err %v)", ErrorCode(err), EINVALID, err)
	}
	var got []string
	for k := range ErrorFields(err) {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(keys)
	if !slices.Equal(got, keys) {
		t.Fatalf("field keys = %v, want %v (%v)", got, keys, ErrorFields(err))
	}
}

func TestDefaultCPSRP(t *testing.T) {
	ct := DefaultCPSRP()
	if err := ct.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v %v", err, ErrorFields(err))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"code", ct.Code, "CPSRP"},
		{"prefix", ct.NumberPrefix, "CPSRP"},
		{"cycle", ct.CycleMonths, 24},
		{"training hours", ct.TrainingHours, 80.0},
		{"supervised hours", ct.SupervisedHours, 300},
		{"ce hours", ct.CEHoursPerCycle, 20.0},
		{"ce ethics", ct.CEEthicsHours, 3.0},
		{"cutoff", *ct.GrandparentingTrainingCutoff, dayUTC(2026, 5, 31)},
		{"apply until", *ct.GrandparentingApplyUntil, dayUTC(2026, 10, 1)},
		{"fee id", ct.FeeIDCents, 5000},
		{"fee application", ct.FeeApplicationCents, 15000},
		{"fee exam", ct.FeeExamCents, 15000},
		{"self-reported cap", ct.CESelfReportedCap == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !slices.Equal(ct.ReminderDays, []int{90, 60, 30, 7}) {
		t.Errorf("ReminderDays = %v", ct.ReminderDays)
	}
	ct.ReminderDays[0] = 1
	*ct.GrandparentingApplyUntil = dayUTC(2000, 1, 1)
	again := DefaultCPSRP()
	if again.ReminderDays[0] != 90 || again.GrandparentingApplyUntil.Year() != 2026 {
		t.Error("DefaultCPSRP shares state between calls")
	}
}

func TestCredentialTypeValidate(t *testing.T) {
	neg := -1.0
	tests := []struct {
		name   string
		change func(*CredentialType)
		keys   []string
	}{
		{"defaults", func(*CredentialType) {}, nil},
		{"code missing", func(c *CredentialType) { c.Code = " " }, []string{"code"}},
		{"code lower case", func(c *CredentialType) { c.Code = "cpsrp" }, []string{"code"}},
		{"name missing", func(c *CredentialType) { c.Name = "" }, []string{"name"}},
		{"prefix with digit", func(c *CredentialType) { c.NumberPrefix = "CP5" }, []string{"number_prefix"}},
		{"prefix too long", func(c *CredentialType) { c.NumberPrefix = "ABCDEFGHIJK" }, []string{"number_prefix"}},
		{"cycle zero", func(c *CredentialType) { c.CycleMonths = 0 }, []string{"cycle_months"}},
		{"appeal negative", func(c *CredentialType) { c.AppealDays = -1 }, []string{"appeal_days"}},
		{"no pathway", func(c *CredentialType) { c.StandardEnabled, c.GrandparentingEnabled = false, false }, []string{"standard_enabled"}},
		{"grandparenting only", func(c *CredentialType) { c.StandardEnabled = false }, nil},
		{"training negative", func(c *CredentialType) { c.TrainingHours = -1 }, []string{"training_hours"}},
		{"supervised negative", func(c *CredentialType) { c.SupervisedHours = -5 }, []string{"supervised_hours"}},
		{"exam without attempts", func(c *CredentialType) { c.ExamMaxAttempts = 0 }, []string{"exam_max_attempts"}},
		{"no exam, no attempts", func(c *CredentialType) { c.ExamRequired, c.ExamMaxAttempts, c.ExamAuthorizationDays = false, 0, 0 }, nil},
		{"exam without authorization period", func(c *CredentialType) { c.ExamAuthorizationDays = 0 }, []string{"exam_authorization_days"}},
		{"retake wait negative", func(c *CredentialType) { c.ExamRetakeWaitDays = -1 }, []string{"exam_retake_wait_days"}},
		{"grandparenting without cutoff", func(c *CredentialType) { c.GrandparentingTrainingCutoff = nil }, []string{"grandparenting_training_cutoff"}},
		{"apply until before cutoff", func(c *CredentialType) { c.GrandparentingApplyUntil = dayPtr(2026, 5, 30) }, []string{"grandparenting_apply_until"}},
		{"grandparenting off, no dates", func(c *CredentialType) {
			c.GrandparentingEnabled, c.GrandparentingTrainingCutoff, c.GrandparentingApplyUntil = false, nil, nil
		}, nil},
		{"ethics above total", func(c *CredentialType) { c.CEEthicsHours = 21 }, []string{"ce_ethics_hours"}},
		{"ce negative", func(c *CredentialType) { c.CEHoursPerCycle = -1 }, []string{"ce_hours_per_cycle", "ce_ethics_hours"}},
		{"cap negative", func(c *CredentialType) { c.CESelfReportedCap = &neg }, []string{"ce_self_reported_cap"}},
		{"window too long", func(c *CredentialType) { c.RenewalWindowDays = 400 }, []string{"renewal_window_days"}},
		{"grace negative", func(c *CredentialType) { c.GraceDays = -1 }, []string{"grace_days"}},
		{"audit over 100", func(c *CredentialType) { c.AuditPercent = 101 }, []string{"audit_percent"}},
		{"reminder duplicate", func(c *CredentialType) { c.ReminderDays = []int{30, 30} }, []string{"reminder_days"}},
		{"reminder zero", func(c *CredentialType) { c.ReminderDays = []int{0} }, []string{"reminder_days"}},
		{"no reminders", func(c *CredentialType) { c.ReminderDays = nil }, nil},
		{"fees negative", func(c *CredentialType) { c.FeeIDCents, c.FeeExamCents = -1, -1 }, []string{"fee_id_cents", "fee_exam_cents"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := DefaultCPSRP()
			tt.change(&ct)
			checkFieldKeys(t, ct.Validate(), tt.keys...)
		})
	}
}

func TestGrandparentingOpen(t *testing.T) {
	eastern := time.FixedZone("EDT", -4*3600)
	tests := []struct {
		name   string
		change func(*CredentialType)
		today  time.Time
		want   bool
	}{
		{"before closing date", nil, dayUTC(2026, 6, 15), true},
		{"on closing date", nil, dayUTC(2026, 10, 1), true},
		{"late evening of closing date, local time", nil, time.Date(2026, 10, 1, 23, 30, 0, 0, eastern), true},
		{"day after closing date", nil, dayUTC(2026, 10, 2), false},
		{"disabled", func(c *CredentialType) { c.GrandparentingEnabled = false }, dayUTC(2026, 6, 15), false},
		{"no closing date", func(c *CredentialType) { c.GrandparentingApplyUntil = nil }, dayUTC(2030, 1, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := DefaultCPSRP()
			if tt.change != nil {
				tt.change(&ct)
			}
			if got := ct.GrandparentingOpen(tt.today); got != tt.want {
				t.Errorf("GrandparentingOpen(%v) = %v, want %v", tt.today, got, tt.want)
			}
		})
	}
}

func TestPathways(t *testing.T) {
	tests := []struct {
		name   string
		change func(*CredentialType)
		today  time.Time
		want   []Pathway
	}{
		{"both while window open", nil, dayUTC(2026, 6, 1), []Pathway{PathwayStandard, PathwayGrandparenting}},
		{"standard after window", nil, dayUTC(2026, 10, 2), []Pathway{PathwayStandard}},
		{"grandparenting only", func(c *CredentialType) { c.StandardEnabled = false }, dayUTC(2026, 6, 1), []Pathway{PathwayGrandparenting}},
		{"nothing when inactive", func(c *CredentialType) { c.Active = false }, dayUTC(2026, 6, 1), nil},
		{"nothing when all closed", func(c *CredentialType) { c.StandardEnabled = false }, dayUTC(2027, 1, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := DefaultCPSRP()
			if tt.change != nil {
				tt.change(&ct)
			}
			if got := ct.Pathways(tt.today); !slices.Equal(got, tt.want) {
				t.Errorf("Pathways = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExpiryFor(t *testing.T) {
	tests := []struct {
		name   string
		months int
		issued time.Time
		want   time.Time
	}{
		{"two years", 24, dayUTC(2026, 3, 15), dayUTC(2028, 3, 15)},
		{"time of day dropped", 24, time.Date(2026, 3, 15, 17, 45, 0, 0, time.UTC), dayUTC(2028, 3, 15)},
		{"leap day to non-leap year", 24, dayUTC(2028, 2, 29), dayUTC(2030, 2, 28)},
		{"leap day to leap year", 48, dayUTC(2028, 2, 29), dayUTC(2032, 2, 29)},
		{"month end clamps", 1, dayUTC(2026, 1, 31), dayUTC(2026, 2, 28)},
		{"one year over new year", 12, dayUTC(2026, 12, 31), dayUTC(2027, 12, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := DefaultCPSRP()
			ct.CycleMonths = tt.months
			if got := ct.ExpiryFor(tt.issued); !got.Equal(tt.want) {
				t.Errorf("ExpiryFor(%v) = %v, want %v", tt.issued, got, tt.want)
			}
		})
	}
}
