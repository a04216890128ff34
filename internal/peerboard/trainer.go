package peerboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CompletionForm is what a trainer types to record that a person finished a course.
type CompletionForm struct {
	PersonName  string
	PersonEmail string
	CourseID    string
	CompletedOn string // YYYY-MM-DD
}

// earliestCompletion is the first completion date accepted; older ones are typing mistakes.
var earliestCompletion = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Parse validates the form against today and returns the completion to
// record; field errors are keyed by form field. Whether the course belongs
// to the trainer's organization is checked where the data is.
func (f CompletionForm) Parse(today time.Time) (Completion, error) {
	c := Completion{PersonName: strings.TrimSpace(f.PersonName), PersonEmail: NormalizeEmail(f.PersonEmail)}
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(c.PersonName); {
	case n == 0:
		fields["person_name"] = "Enter the person's full name."
	case n > 200:
		fields["person_name"] = "The name must be 200 characters or fewer."
	}
	if c.PersonEmail == "" {
		fields["person_email"] = "Enter the person's email address."
	} else if !ValidEmail(c.PersonEmail) {
		fields["person_email"] = "Enter an email address like name@example.org."
	}
	id, err := strconv.ParseInt(strings.TrimSpace(f.CourseID), 10, 64)
	if err != nil || id <= 0 {
		fields["course_id"] = "Choose the course the person completed."
	}
	c.CourseID = id
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(f.CompletedOn))
	switch {
	case err != nil:
		fields["completed_on"] = "Enter the completion date like 2026-03-31."
	case d.After(dateOf(today)):
		fields["completed_on"] = "The completion date cannot be in the future."
	case d.Before(earliestCompletion):
		fields["completed_on"] = "The completion date cannot be before 2000."
	}
	c.CompletedOn = d
	if len(fields) > 0 {
		return c, FieldErrors("Check the highlighted fields.", fields)
	}
	return c, nil
}

// CourseForm is what a trainer types to add a course. Hours holds the raw
// hours per competency; a blank entry means the course does not cover it.
type CourseForm struct {
	Code         string
	Title        string
	TotalHours   string
	EthicsModule bool
	Hours        map[Competency]string
}

// HoursField is the form field name of a competency's hours.
func HoursField(c Competency) string { return fmt.Sprintf("hours_%d", int(c)) }

// Parse validates the form: hours in quarter hours, at least one
// competency covered, and the competency hours adding up to no more than
// the course's total.
func (f CourseForm) Parse() (Course, error) {
	c := Course{
		Code:                 strings.TrimSpace(f.Code),
		Title:                strings.TrimSpace(f.Title),
		IncludesEthicsModule: f.EthicsModule,
		Active:               true,
		CompetencyHours:      map[Competency]float64{},
	}
	fields := map[string]string{}
	switch {
	case c.Code == "":
		fields["code"] = "Enter the course code."
	case len(c.Code) > 40 || strings.TrimLeft(strings.ToUpper(c.Code), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "":
		fields["code"] = "Use up to 40 letters, digits, dots, dashes or underscores."
	}
	switch n := utf8.RuneCountInString(c.Title); {
	case n == 0:
		fields["title"] = "Enter the course title."
	case n > 200:
		fields["title"] = "The title must be 200 characters or fewer."
	}
	total, ok := parseQuarterHours(f.TotalHours)
	if !ok || total <= 0 {
		fields["total_hours"] = "Enter the total hours, more than 0, in quarter hours (for example 80 or 7.25)."
	}
	c.TotalHours = total
	var sum float64
	for _, comp := range AllCompetencies() {
		raw := strings.TrimSpace(f.Hours[comp])
		if raw == "" {
			continue
		}
		h, ok := parseQuarterHours(raw)
		if !ok {
			fields[HoursField(comp)] = "Enter hours of 0 or more in quarter hours (for example 6 or 2.75), or leave it blank."
			continue
		}
		if h > 0 {
			c.CompetencyHours[comp] = h
			sum += h
		}
	}
	if len(c.CompetencyHours) == 0 && !hasHoursError(fields) {
		fields[HoursField(CompEngages)] = "Enter the hours of at least one competency the course covers."
	}
	if _, bad := fields["total_hours"]; !bad && sum > total {
		fields["total_hours"] = fmt.Sprintf("The competency hours add up to %s, more than the total of %s.", FormatHours(sum), FormatHours(total))
	}
	if len(fields) > 0 {
		return c, FieldErrors("Check the highlighted fields.", fields)
	}
	return c, nil
}

func hasHoursError(fields map[string]string) bool {
	for k := range fields {
		if strings.HasPrefix(k, "hours_") {
			return true
		}
	}
	return false
}

// parseQuarterHours reads a number of hours of 0 or more, in quarter hours,
// within what the database stores.
func parseQuarterHours(s string) (float64, bool) {
	h, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(h) || math.IsInf(h, 0) || h < 0 || h > 9999 {
		return 0, false
	}
	return h, h*4 == math.Trunc(h*4)
}

// FormatHours shows hours without needless decimals: 80, 7.5, 2.25.
func FormatHours(h float64) string {
	return strconv.FormatFloat(h, 'f', -1, 64)
}
