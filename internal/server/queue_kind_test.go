package server_test

import (
	"net/http"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// The case queue shows renewals and CE audits beside applications, and the
// kind filter narrows it to one kind.
func TestQueueKindFilter(t *testing.T) {
	app := newTestApp(t)
	rwAuditPercent(t, app, 0)
	plain := rwNewHolder(t, app, "plain@example.org", "active", "2027-01-10")
	rwFullCE(t, app, plain)
	rwSubmit(t, plain)
	rwAuditPercent(t, app, 100)
	audited := rwNewHolder(t, app, "audited@example.org", "active", "2027-01-12")
	rwFullCE(t, app, audited)
	rwSubmit(t, audited)
	applicant := app.createUser(peerboard.RoleApplicant, "applicant@example.org", nil)
	app.submittedCase(applicant, peerboard.PathwayStandard)

	app.createUser(peerboard.RoleReviewer, "rev@example.org", nil)
	rev := app.client().login("rev@example.org")
	tests := []struct {
		kind               string
		status             int
		cases, renewals    int
		renewalSectionSeen bool
	}{
		{"", http.StatusOK, 1, 2, true},
		{"application", http.StatusOK, 1, 0, false},
		{"renewal", http.StatusOK, 0, 2, true},
		{"audit", http.StatusOK, 0, 1, true},
		{"nonsense", http.StatusUnprocessableEntity, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run("kind="+tt.kind, func(t *testing.T) {
			res := rev.get("/review?kind=" + tt.kind)
			wantStatus(t, res, tt.status)
			if n := res.Doc.Find("#queue tbody tr").Length(); n != tt.cases {
				t.Errorf("%d application rows, want %d", n, tt.cases)
			}
			if n := res.Doc.Find("#renewal-queue tbody tr").Length(); n != tt.renewals {
				t.Errorf("%d renewal rows, want %d", n, tt.renewals)
			}
			if seen := res.Doc.Find("h2:contains('Renewals and CE audits')").Length() > 0; seen != tt.renewalSectionSeen {
				t.Errorf("renewal section shown = %v, want %v", seen, tt.renewalSectionSeen)
			}
			if tt.status == http.StatusUnprocessableEntity && res.Text("#kind-error") == "" {
				t.Error("no error next to the kind filter")
			}
		})
	}
}
