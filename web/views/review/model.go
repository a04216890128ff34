// Package review renders the board staff's pages: the case queue and the
// case page with its checklist, timeline, audit trail and decision form.
package review

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
)

// Queue is the reviewer queue page: applications beside renewals and audits.
type Queue struct {
	Items                          []postgres.QueueItem
	Renewals                       []postgres.RenewalQueueItem
	Status, Pathway, Kind          string // the filters as chosen
	PrevURL, NextURL               string
	RenewalPrevURL, RenewalNextURL string
	Message                        string
	Errors                         views.Errors
}

// The kinds of work in the queue; "" shows them all.
const (
	KindApplication = "application"
	KindRenewal     = "renewal" // renewals, audited or not
	KindAudit       = "audit"   // renewals picked for a CE audit
)

// ValidKind reports whether k is a kind filter the queue knows.
func ValidKind(k string) bool {
	return k == "" || k == KindApplication || k == KindRenewal || k == KindAudit
}

// ShowApplications reports whether the kind filter includes applications.
func (q Queue) ShowApplications() bool { return q.Kind == "" || q.Kind == KindApplication }

// ShowRenewals reports whether the kind filter includes renewals.
func (q Queue) ShowRenewals() bool {
	return q.Kind == "" || q.Kind == KindRenewal || q.Kind == KindAudit
}

var kindOptions = []views.Option{
	{Value: "", Label: "Applications, renewals and audits"},
	{Value: KindApplication, Label: "Applications"},
	{Value: KindRenewal, Label: "Renewals (with or without an audit)"},
	{Value: KindAudit, Label: "Renewals with a CE audit"},
}

// Case is the case page.
type Case struct {
	App       *peerboard.Application
	Training  []peerboard.TrainingRecord
	Checklist []peerboard.Requirement
	AllMet    bool
	Timeline  []peerboard.TimelineEntry
	Audit     []peerboard.AuditEvent
	// CanDecide is false on the reviewer's own application.
	CanDecide bool
	// The decision form as typed, kept when refused.
	Decision, Reason string
	Message          string
	Errors           views.Errors
	// Conflict is set when the reviewer's form was stale: the page then
	// shows the case's current state.
	Conflict bool
}

// Decidable reports whether the case waits for a decision.
func (c Case) Decidable() bool { return c.App.Status.AwaitingBoard() }

// Startable reports whether the case can be taken for review.
func (c Case) Startable() bool {
	return c.App.Status == peerboard.AppSubmitted || c.App.Status == peerboard.AppResubmitted
}

var statusOptions = func() []views.Option {
	opts := []views.Option{{Value: "", Label: "Waiting for the board"}}
	for _, s := range peerboard.AllApplicationStatuses() {
		if s != peerboard.AppDraft {
			opts = append(opts, views.Option{Value: string(s), Label: s.Label()})
		}
	}
	return opts
}()

var pathwayOptions = []views.Option{
	{Value: "", Label: "Both pathways"},
	{Value: string(peerboard.PathwayStandard), Label: peerboard.PathwayStandard.Label()},
	{Value: string(peerboard.PathwayGrandparenting), Label: peerboard.PathwayGrandparenting.Label()},
}

var decisionOptions = []views.Option{
	{Value: string(peerboard.DecisionApprove), Label: "Approve", Hint: "Standard: the applicant becomes eligible to test. Grandparenting: the credential is issued."},
	{Value: string(peerboard.DecisionRequestInfo), Label: "Request information", Hint: "Write what the applicant must provide; they have 30 days to answer."},
	{Value: string(peerboard.DecisionDeny), Label: "Deny", Hint: "Write the reasons; the applicant can appeal."},
}

func caseURL(id int64, suffix string) string {
	return fmt.Sprintf("/review/applications/%d%s", id, suffix)
}

func itoa(n int) string { return strconv.Itoa(n) }

func dateTime(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04 UTC") }

func isoDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// payload renders an audit event's before or after JSON compactly.
func payload(v any) string {
	if v == nil {
		return ""
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func reqTag(s peerboard.RequirementState) string {
	switch s {
	case peerboard.ReqMet:
		return "usa-tag bg-success-darker"
	case peerboard.ReqMissing:
		return "usa-tag bg-secondary-dark"
	}
	return "usa-tag"
}

func reqLabel(s peerboard.RequirementState) string {
	switch s {
	case peerboard.ReqMet:
		return "Met"
	case peerboard.ReqMissing:
		return "Missing"
	case peerboard.ReqLater:
		return "After approval"
	}
	return string(s)
}

func timelineLabel(e peerboard.TimelineEntry) string {
	switch e.Action {
	case "application.created":
		return "Application started"
	case "application.draft_saved":
		return "Draft saved"
	}
	if e.Status.Valid() {
		return e.Status.Label()
	}
	return e.Action
}
