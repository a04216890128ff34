package peerboard_test

import (
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func TestCompletionFormParse(t *testing.T) {
	today := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	ok := peerboard.CompletionForm{PersonName: " Ada Lovelace ", PersonEmail: " Ada@Example.org", CourseID: "7", CompletedOn: "2026-11-23"}
	c, err := ok.Parse(today)
	if err != nil || c.PersonName != "Ada Lovelace" || c.PersonEmail != "ada@example.org" || c.CourseID != 7 ||
		!c.CompletedOn.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	tests := []struct {
		name  string
		edit  func(*peerboard.CompletionForm)
		field string
	}{
		{"no name", func(f *peerboard.CompletionForm) { f.PersonName = "  " }, "person_name"},
		{"bad email", func(f *peerboard.CompletionForm) { f.PersonEmail = "ada" }, "person_email"},
		{"no email", func(f *peerboard.CompletionForm) { f.PersonEmail = "" }, "person_email"},
		{"no course", func(f *peerboard.CompletionForm) { f.CourseID = "" }, "course_id"},
		{"course not a number", func(f *peerboard.CompletionForm) { f.CourseID = "1; DROP" }, "course_id"},
		{"bad date", func(f *peerboard.CompletionForm) { f.CompletedOn = "23/11/2026" }, "completed_on"},
		{"future date", func(f *peerboard.CompletionForm) { f.CompletedOn = "2026-11-24" }, "completed_on"},
		{"before 2000", func(f *peerboard.CompletionForm) { f.CompletedOn = "1999-12-31" }, "completed_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			_, err := f.Parse(today)
			if peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("err = %v; want a field error on %s", err, tt.field)
			}
		})
	}
}

func TestCourseFormParse(t *testing.T) {
	base := func() peerboard.CourseForm {
		return peerboard.CourseForm{Code: "PEER-80", Title: "Peer support", TotalHours: "80", EthicsModule: true,
			Hours: map[peerboard.Competency]string{peerboard.CompEngages: "6.25", peerboard.CompGrowth: "0", peerboard.CompCrises: ""}}
	}
	c, err := base().Parse()
	if err != nil || c.TotalHours != 80 || len(c.CompetencyHours) != 1 || c.CompetencyHours[peerboard.CompEngages] != 6.25 || !c.IncludesEthicsModule {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	tests := []struct {
		name  string
		edit  func(*peerboard.CourseForm)
		field string
	}{
		{"no code", func(f *peerboard.CourseForm) { f.Code = "" }, "code"},
		{"code with spaces", func(f *peerboard.CourseForm) { f.Code = "PEER 80" }, "code"},
		{"no title", func(f *peerboard.CourseForm) { f.Title = " " }, "title"},
		{"zero total", func(f *peerboard.CourseForm) { f.TotalHours = "0" }, "total_hours"},
		{"total not quarter", func(f *peerboard.CourseForm) { f.TotalHours = "80.1" }, "total_hours"},
		{"total not a number", func(f *peerboard.CourseForm) { f.TotalHours = "NaN" }, "total_hours"},
		{"negative hours", func(f *peerboard.CourseForm) { f.Hours[peerboard.CompCrises] = "-1" }, "hours_8"},
		{"hours not quarter", func(f *peerboard.CourseForm) { f.Hours[peerboard.CompCrises] = "1.3" }, "hours_8"},
		{"no competency", func(f *peerboard.CourseForm) { f.Hours = nil }, "hours_1"},
		{"sum over total", func(f *peerboard.CourseForm) { f.Hours[peerboard.CompCrises] = "74" }, "total_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.edit(&f)
			_, err := f.Parse()
			if peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("err = %v (%v); want a field error on %s", err, peerboard.ErrorFields(err), tt.field)
			}
		})
	}
}
