package peerboard

import (
	"slices"
	"testing"
	"time"
)

func TestParseDollars(t *testing.T) {
	tests := []struct {
		in    string
		cents int
		ok    bool
	}{
		{"150", 15000, true},
		{"150.00", 15000, true},
		{"150.5", 15050, true},
		{"$1,500.05", 150005, true},
		{" 0 ", 0, true},
		{"0.07", 7, true},
		{"", 0, false},
		{"150.", 0, false},
		{"150.001", 0, false},
		{"-5", 0, false},
		{"abc", 0, false},
		{"1e3", 0, false},
		{"99999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDollars(tt.in)
			if (err == nil) != tt.ok || got != tt.cents {
				t.Errorf("ParseDollars(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.cents, tt.ok)
			}
			if tt.ok {
				if back, _ := ParseDollars(FormatDollars(got)); back != got {
					t.Errorf("round trip of %d gave %d", got, back)
				}
			}
		})
	}
	if FormatDollars(15000) != "150.00" || FormatDollars(5) != "0.05" {
		t.Errorf("FormatDollars: %q %q", FormatDollars(15000), FormatDollars(5))
	}
}

func TestParseDayList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"90, 60, 30, 7", []int{90, 60, 30, 7}, true},
		{"7,30,90", []int{90, 30, 7}, true},
		{"", []int{}, true},
		{" , ", []int{}, true},
		{"90; 60", nil, false},
		{"-7", nil, false},
		{"+7", nil, false},
		{"seven", nil, false},
	}
	for _, tt := range tests {
		got, err := ParseDayList(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) || tt.ok && got == nil {
			t.Errorf("ParseDayList(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if s := FormatDayList([]int{90, 60, 30, 7}); s != "90, 60, 30, 7" {
		t.Errorf("FormatDayList = %q", s)
	}
}

func TestOrganizationValidate(t *testing.T) {
	d := func(s string) *time.Time {
		v, _ := time.Parse(time.DateOnly, s)
		return &v
	}
	tests := []struct {
		name  string
		org   Organization
		field string // "" when valid
	}{
		{"open-ended approval", Organization{Name: "A", ApprovedFrom: d("2026-01-01")}, ""},
		{"not approved", Organization{Name: "A"}, ""},
		{"same day", Organization{Name: "A", ApprovedFrom: d("2026-01-01"), ApprovedUntil: d("2026-01-01")}, ""},
		{"blank name", Organization{Name: "  "}, "name"},
		{"bad email", Organization{Name: "A", ContactEmail: "nope"}, "contact_email"},
		{"until before from", Organization{Name: "A", ApprovedFrom: d("2026-02-01"), ApprovedUntil: d("2026-01-31")}, "approved_until"},
		{"until without from", Organization{Name: "A", ApprovedUntil: d("2026-01-31")}, "approved_from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.org.Validate()
			if tt.field == "" && err != nil || tt.field != "" && ErrorFields(err)[tt.field] == "" {
				t.Errorf("Validate() = %v (%v), want error on %q", err, ErrorFields(err), tt.field)
			}
		})
	}
}

func TestChangedSettings(t *testing.T) {
	a := DefaultCPSRP()
	b := a
	b.ReminderDays = []int{60, 30}
	b.CESelfReportedCap = new(10.0)
	b.GrandparentingApplyUntil = nil
	before, after := ChangedSettings(a.Settings(), b.Settings())
	if len(after) != 3 || len(before) != 3 {
		t.Fatalf("changed: before %v after %v", before, after)
	}
	if before["ce_self_reported_cap"] != nil || after["ce_self_reported_cap"] != 10.0 ||
		before["grandparenting_apply_until"] != "2026-10-01" || after["grandparenting_apply_until"] != nil {
		t.Errorf("before %v after %v", before, after)
	}
	if _, after := ChangedSettings(a.Settings(), a.Settings()); len(after) != 0 {
		t.Errorf("no change reported %v", after)
	}
}
