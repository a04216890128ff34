package peerboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CECategory is the subject area of a continuing education activity; ethics
// hours have their own minimum.
type CECategory string

// The CE categories.
const (
	CEEthics                 CECategory = "ethics"
	CECoreCompetencies       CECategory = "core_competencies"
	CECulturalResponsiveness CECategory = "cultural_responsiveness"
	CEProfessionalDevelop    CECategory = "professional_development"
	CEOther                  CECategory = "other"
)

// AllCECategories returns the categories in the order forms list them.
func AllCECategories() []CECategory {
	return []CECategory{CEEthics, CECoreCompetencies, CECulturalResponsiveness, CEProfessionalDevelop, CEOther}
}

// Label returns the category's name for forms and reports.
func (c CECategory) Label() string {
	switch c {
	case CEEthics:
		return "Ethics"
	case CECoreCompetencies:
		return "Core competencies"
	case CECulturalResponsiveness:
		return "Cultural responsiveness"
	case CEProfessionalDevelop:
		return "Professional development"
	case CEOther:
		return "Other"
	}
	return "Unknown category"
}

// Valid reports whether c is a known category.
func (c CECategory) Valid() bool { return c.Label() != "Unknown category" }

// CESource says who recorded a CE activity, since self-reported hours may be
// capped.
type CESource string

// The CE sources.
const (
	CESelfReported CESource = "self_reported" // entered by the holder
	CEVerified     CESource = "verified"      // posted by an approved provider
)

// CEActivity is one continuing education activity logged for a cycle.
type CEActivity struct {
	ID              int64
	Title, Provider string
	Date            time.Time
	Hours           float64
	Category        CECategory
	Source          CESource
	Rejected        bool // rejected by staff, e.g. in an audit
}

// ValidateCEActivity checks an activity logged for the cycle from cycleStart
// to cycleEnd (inclusive dates), returning per-field messages.
func ValidateCEActivity(a CEActivity, cycleStart, cycleEnd, today time.Time) error {
	f := map[string]string{}
	for key, val := range map[string]string{"title": a.Title, "provider": a.Provider} {
		switch val = strings.TrimSpace(val); {
		case val == "":
			f[key] = "Required"
		case utf8.RuneCountInString(val) > 200:
			f[key] = "At most 200 characters"
		}
	}
	switch d := dateOf(a.Date); {
	case a.Date.IsZero():
		f["date"] = "Enter the date of the activity"
	case d.After(dateOf(today)):
		f["date"] = "The date cannot be in the future"
	case d.Before(dateOf(cycleStart)) || d.After(dateOf(cycleEnd)):
		f["date"] = fmt.Sprintf("The date must be within the current cycle, %s to %s",
			cycleStart.Format("January 2, 2006"), cycleEnd.Format("January 2, 2006"))
	}
	switch {
	case !(a.Hours > 0) || a.Hours > 24:
		f["hours"] = "Enter between 0.25 and 24 hours"
	case !quarterHours(a.Hours):
		f["hours"] = "Use quarter hours, like 1, 1.5 or 0.75"
	}
	if !a.Category.Valid() {
		f["category"] = "Choose a category"
	}
	if len(f) > 0 {
		return FieldErrors("Please correct the activity", f)
	}
	return nil
}

// CEProgress is how far a holder is toward the CE requirement of a cycle.
type CEProgress struct {
	Required            float64                // hours needed in the cycle
	Earned              float64                // hours logged in the cycle, duplicates removed, before the cap
	Counted             float64                // hours that count, after the self-reported cap
	ByCategory          map[CECategory]float64 // earned hours per category
	EthicsRequired      float64
	EthicsEarned        float64  // ethics hours that count
	SelfReportedCounted float64  // self-reported hours that count
	Missing             []string // plain sentences of what is still needed
	Met                 bool
}

// EvaluateCE totals the activities of the cycle from cycleStart to cycleEnd
// (inclusive dates) against the credential type's CE requirement. Rejected
// activities and those outside the cycle do not count; identical entries
// (same title, provider, date, hours and category, ignoring case and spaces)
// count once. When self-reported hours are capped, self-reported ethics hours
// are counted first.
func EvaluateCE(t CredentialType, cycleStart, cycleEnd time.Time, acts []CEActivity) CEProgress {
	p := CEProgress{Required: t.CEHoursPerCycle, EthicsRequired: t.CEEthicsHours, ByCategory: map[CECategory]float64{}}
	type key struct {
		title, provider string
		date            time.Time
		hours           float64
		category        CECategory
	}
	seen := map[key]bool{}
	var verified, verifiedEthics, self, selfEthics float64
	for _, a := range acts {
		d := dateOf(a.Date)
		if a.Rejected || a.Hours <= 0 || d.Before(dateOf(cycleStart)) || d.After(dateOf(cycleEnd)) {
			continue
		}
		k := key{normalizeCEText(a.Title), normalizeCEText(a.Provider), d, a.Hours, a.Category}
		if seen[k] {
			continue
		}
		seen[k] = true
		p.Earned += a.Hours
		p.ByCategory[a.Category] += a.Hours
		ethics := a.Category == CEEthics
		switch {
		case a.Source == CEVerified && ethics:
			verifiedEthics += a.Hours
		case a.Source == CEVerified:
			verified += a.Hours
		case ethics:
			selfEthics += a.Hours
		default:
			self += a.Hours
		}
	}
	selfEthicsCounted, selfCounted := selfEthics, self
	if c := t.CESelfReportedCap; c != nil {
		selfEthicsCounted = math.Min(selfEthics, *c)
		selfCounted = math.Min(self, *c-selfEthicsCounted)
	}
	p.SelfReportedCounted = selfEthicsCounted + selfCounted
	p.Counted = verified + verifiedEthics + p.SelfReportedCounted
	p.EthicsEarned = verifiedEthics + selfEthicsCounted

	if short := p.Required - p.Counted; short > 1e-9 {
		s := fmt.Sprintf("%s more %s needed", formatHours(short), plural(hoursCount(short), "hour", "hours"))
		if p.Counted < p.Earned {
			s += fmt.Sprintf("; only %s self-reported hours count", formatHours(*t.CESelfReportedCap))
		}
		p.Missing = append(p.Missing, s)
	}
	if short := p.EthicsRequired - p.EthicsEarned; short > 1e-9 {
		p.Missing = append(p.Missing, fmt.Sprintf("%s more %s of ethics needed", formatHours(short), plural(hoursCount(short), "hour", "hours")))
	}
	p.Met = len(p.Missing) == 0
	return p
}

// hoursCount returns 1 for exactly one hour and 2 otherwise, for plural.
func hoursCount(h float64) int {
	if math.Abs(h-1) < 1e-9 {
		return 1
	}
	return 2
}

func normalizeCEText(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// quarterHours reports whether h is a whole number of quarter hours.
func quarterHours(h float64) bool { return math.Abs(h*4-math.Round(h*4)) < 1e-9 }

// ParseHours reads an hour count typed in a form or a CSV file, such as "1",
// "1.5" or "0.75"; only non-negative quarter hours are accepted.
func ParseHours(s string) (float64, error) {
	invalid := Errorf(EINVALID, "Enter hours in quarter hours, like 1, 1.5 or 0.75")
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || dot && frac == "" || len(whole) > 4 || !allDigits(whole) || !allDigits(frac) {
		return 0, invalid
	}
	h, err := strconv.ParseFloat(s, 64)
	if err != nil || !quarterHours(h) {
		return 0, invalid
	}
	return h, nil
}

func allDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
