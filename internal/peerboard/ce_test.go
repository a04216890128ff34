package peerboard

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCECategory(t *testing.T) {
	tests := []struct {
		c     CECategory
		label string
		valid bool
	}{
		{CEEthics, "Ethics", true},
		{CECoreCompetencies, "Core competencies", true},
		{CECulturalResponsiveness, "Cultural responsiveness", true},
		{CEProfessionalDevelop, "Professional development", true},
		{CEOther, "Other", true},
		{"", "Unknown category", false},
		{"Ethics", "Unknown category", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			if tt.c.Label() != tt.label || tt.c.Valid() != tt.valid {
				t.Errorf("Label %q Valid %v, want %q %v", tt.c.Label(), tt.c.Valid(), tt.label, tt.valid)
			}
		})
	}
	if len(AllCECategories()) != 5 {
		t.Errorf("AllCECategories has %d entries", len(AllCECategories()))
	}
}

func TestValidateCEActivity(t *testing.T) {
	start, end, today := dayUTC(2026, 3, 15), dayUTC(2028, 3, 15), dayUTC(2027, 1, 10)
	valid := CEActivity{Title: "Trauma-informed peer support", Provider: "Peer Academy", Date: dayUTC(2026, 11, 2),
		Hours: 1.5, Category: CECoreCompetencies, Source: CESelfReported}
	tests := []struct {
		name   string
		change func(*CEActivity)
		keys   []string
	}{
		{"valid", func(*CEActivity) {}, nil},
		{"first day of cycle", func(a *CEActivity) { a.Date = start }, nil},
		{"today", func(a *CEActivity) { a.Date = today.Add(20 * time.Hour) }, nil},
		{"before the cycle", func(a *CEActivity) { a.Date = start.AddDate(0, 0, -1) }, []string{"date"}},
		{"tomorrow", func(a *CEActivity) { a.Date = today.AddDate(0, 0, 1) }, []string{"date"}},
		{"no date", func(a *CEActivity) { a.Date = time.Time{} }, []string{"date"}},
		{"title blank", func(a *CEActivity) { a.Title = "  " }, []string{"title"}},
		{"title 200 characters", func(a *CEActivity) { a.Title = strings.Repeat("é", 200) }, nil},
		{"title 201 characters", func(a *CEActivity) { a.Title = strings.Repeat("é", 201) }, []string{"title"}},
		{"provider missing", func(a *CEActivity) { a.Provider = "" }, []string{"provider"}},
		{"quarter hour", func(a *CEActivity) { a.Hours = 0.25 }, nil},
		{"24 hours", func(a *CEActivity) { a.Hours = 24 }, nil},
		{"zero hours", func(a *CEActivity) { a.Hours = 0 }, []string{"hours"}},
		{"negative hours", func(a *CEActivity) { a.Hours = -1 }, []string{"hours"}},
		{"over 24 hours", func(a *CEActivity) { a.Hours = 24.25 }, []string{"hours"}},
		{"tenth of an hour", func(a *CEActivity) { a.Hours = 1.1 }, []string{"hours"}},
		{"bad category", func(a *CEActivity) { a.Category = "fun" }, []string{"category"}},
		{"everything wrong", func(a *CEActivity) { *a = CEActivity{} }, []string{"title", "provider", "date", "hours", "category"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid
			tt.change(&a)
			checkFieldKeys(t, ValidateCEActivity(a, start, end, today), tt.keys...)
		})
	}
}

func TestEvaluateCE(t *testing.T) {
	start, end := dayUTC(2026, 3, 15), dayUTC(2028, 3, 15)
	act := func(title string, hours float64, cat CECategory, src CESource) CEActivity {
		return CEActivity{Title: title, Provider: "Peer Academy", Date: dayUTC(2027, 2, 1), Hours: hours, Category: cat, Source: src}
	}
	cap10 := 10.0
	tests := []struct {
		name                                 string
		cap                                  *float64
		acts                                 []CEActivity
		earned, counted, ethics, selfCounted float64
		missing                              []string
	}{
		{"nothing logged", nil, nil, 0, 0, 0, 0,
			[]string{"20 more hours needed", "3 more hours of ethics needed"}},
		{"exactly met", nil, []CEActivity{act("A", 17, CEOther, CEVerified), act("Ethics", 3, CEEthics, CEVerified)}, 20, 20, 3, 0, nil},
		{"hours short", nil, []CEActivity{act("A", 12.5, CEOther, CEVerified), act("E", 3, CEEthics, CESelfReported)}, 15.5, 15.5, 3, 3,
			[]string{"4.5 more hours needed"}},
		{"one hour short, singular", nil, []CEActivity{act("A", 16, CEOther, CEVerified), act("E", 3, CEEthics, CEVerified)}, 19, 19, 3, 0,
			[]string{"1 more hour needed"}},
		{"ethics short", nil, []CEActivity{act("A", 24, CEOther, CEVerified), act("E", 1, CEEthics, CEVerified)}, 25, 25, 1, 0,
			[]string{"2 more hours of ethics needed"}},
		{"rejected does not count", nil, []CEActivity{act("A", 17, CEOther, CEVerified), func() CEActivity {
			a := act("E", 3, CEEthics, CEVerified)
			a.Rejected = true
			return a
		}()}, 17, 17, 0, 0, []string{"3 more hours needed", "3 more hours of ethics needed"}},
		{"outside the cycle does not count", nil, []CEActivity{act("E", 3, CEEthics, CEVerified), func() CEActivity {
			a := act("A", 17, CEOther, CEVerified)
			a.Date = end.AddDate(0, 0, 1)
			return a
		}(), func() CEActivity {
			a := act("B", 17, CEOther, CEVerified)
			a.Date = start.AddDate(0, 0, -1)
			return a
		}()}, 3, 3, 3, 0, []string{"17 more hours needed"}},
		{"cycle boundaries count", nil, []CEActivity{func() CEActivity {
			a := act("A", 17, CEOther, CEVerified)
			a.Date = start
			return a
		}(), func() CEActivity {
			a := act("E", 3, CEEthics, CEVerified)
			a.Date = end.Add(22 * time.Hour)
			return a
		}()}, 20, 20, 3, 0, nil},
		{"duplicates count once", nil, []CEActivity{act("A", 17, CEOther, CEVerified), act("A", 17, CEOther, CEVerified),
			act("  a ", 17, CEOther, CESelfReported), act("E", 3, CEEthics, CEVerified)}, 20, 20, 3, 0, nil},
		{"same title, different hours are distinct", nil, []CEActivity{act("A", 10, CEOther, CEVerified), act("A", 7, CEOther, CEVerified),
			act("E", 3, CEEthics, CEVerified)}, 20, 20, 3, 0, nil},
		{"self-reported capped", &cap10, []CEActivity{act("A", 15, CEOther, CESelfReported), act("B", 2, CEOther, CEVerified),
			act("E", 3, CEEthics, CEVerified)}, 20, 15, 3, 10, []string{"5 more hours needed; only 10 self-reported hours count"}},
		{"cap keeps self-reported ethics", &cap10, []CEActivity{act("A", 12, CEOther, CESelfReported), act("E", 3, CEEthics, CESelfReported),
			act("B", 10, CEOther, CEVerified)}, 25, 20, 3, 10, nil},
		{"no cap", nil, []CEActivity{act("A", 17, CEOther, CESelfReported), act("E", 3, CEEthics, CESelfReported)}, 20, 20, 3, 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := DefaultCPSRP()
			ct.CESelfReportedCap = tt.cap
			p := EvaluateCE(ct, start, end, tt.acts)
			if p.Required != 20 || p.EthicsRequired != 3 {
				t.Errorf("Required %v, EthicsRequired %v", p.Required, p.EthicsRequired)
			}
			if p.Earned != tt.earned || p.Counted != tt.counted || p.EthicsEarned != tt.ethics || p.SelfReportedCounted != tt.selfCounted {
				t.Errorf("Earned/Counted/EthicsEarned/SelfReportedCounted = %v/%v/%v/%v, want %v/%v/%v/%v",
					p.Earned, p.Counted, p.EthicsEarned, p.SelfReportedCounted, tt.earned, tt.counted, tt.ethics, tt.selfCounted)
			}
			if !slices.Equal(p.Missing, tt.missing) {
				t.Errorf("Missing = %q, want %q", p.Missing, tt.missing)
			}
			if p.Met != (len(tt.missing) == 0) {
				t.Errorf("Met = %v", p.Met)
			}
			var sum float64
			for _, h := range p.ByCategory {
				sum += h
			}
			if sum != p.Earned {
				t.Errorf("ByCategory sums to %v, Earned is %v", sum, p.Earned)
			}
		})
	}
}

func TestParseHours(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"1.5", 1.5, true},
		{"1.25", 1.25, true},
		{"0.75", 0.75, true},
		{" 2.50 ", 2.5, true},
		{".5", 0.5, true},
		{"0", 0, true},
		{"1.1", 0, false},
		{"1.333", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1.", 0, false},
		{".", 0, false},
		{"", 0, false},
		{"1,5", 0, false},
		{"1e2", 0, false},
		{"NaN", 0, false},
		{"1.2.3", 0, false},
		{"two", 0, false},
		{"99999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseHours(tt.in)
			if tt.ok && (err != nil || got != tt.want) {
				t.Errorf("ParseHours(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if !tt.ok && ErrorCode(err) != EINVALID {
				t.Errorf("ParseHours(%q) = %v, %v; want an EINVALID error", tt.in, got, err)
			}
		})
	}
}
