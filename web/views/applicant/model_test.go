package applicant

import (
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func TestNextStepAfterApproval(t *testing.T) {
	standard := peerboard.Application{Status: peerboard.AppApproved, Pathway: peerboard.PathwayStandard}
	tests := []struct {
		name string
		exam *peerboard.ExamAuthorization
		want string
	}{
		{"no authorization yet", nil, "eligible to take the exam"},
		{"authorized", &peerboard.ExamAuthorization{Status: "active"}, "eligible to take the exam"},
		{"passed", &peerboard.ExamAuthorization{Status: "used"}, "you passed the exam"},
		{"no-show", &peerboard.ExamAuthorization{Status: "forfeited"}, "authorization is forfeited"},
		{"attempts used up", &peerboard.ExamAuthorization{Status: "exhausted"}, "authorization is exhausted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextStep(standard, tt.exam); !strings.Contains(got, tt.want) {
				t.Errorf("NextStep = %q, want it to say %q", got, tt.want)
			}
		})
	}
	grand := peerboard.Application{Status: peerboard.AppApproved, Pathway: peerboard.PathwayGrandparenting}
	if got := NextStep(grand, nil); !strings.Contains(got, "credential has been issued") {
		t.Errorf("grandparenting: %q", got)
	}
}

func TestExamStatus(t *testing.T) {
	today := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		status string
		until  time.Time
		want   string
	}{
		{"active", today, "Active"},
		{"active", today.AddDate(0, 0, -1), "Expired"},
		{"used", today.AddDate(0, 0, -10), "Used"},
		{"forfeited", today, "Forfeited"},
		{"exhausted", today, "All attempts used"},
	}
	for _, tt := range tests {
		got := ExamStatus(peerboard.ExamAuthorization{Status: tt.status, ValidUntil: tt.until}, today)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("ExamStatus(%s until %s) = %q, want %q…", tt.status, tt.until.Format(time.DateOnly), got, tt.want)
		}
	}
}
