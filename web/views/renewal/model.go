// Package renewal renders the renewal pages: the holder's renewal of a
// credential and its CE audit, the voluntary status changes, and the board
// staff's renewal queue and renewal page.
package renewal

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
)

// Renew is the holder's renewal page for one credential.
type Renew struct {
	Ov      *postgres.RenewalOverview
	Signed  map[peerboard.AttestationKind]bool // as ticked, kept when refused
	Message string
	Errors  views.Errors
}

// HolderRenewal is the holder's page of a submitted renewal: status, CE,
// proof uploads when audited, and the answer form when the board asks.
type HolderRenewal struct {
	D       *postgres.RenewalDetail
	Trail   []peerboard.AuditEvent
	Answer  string
	Message string
	Errors  views.Errors // "message", or "proof-<ceID>" for an upload
}

// StatusChange is the confirmation page of a voluntary status change.
type StatusChange struct {
	Cred    *postgres.HeldCredential
	Action  string // inactive, surrender or reactivate
	Message string // why the change is refused or stale
	Allowed bool   // the change can be made from the current status
}

// Queue is the staff's renewal queue.
type Queue struct {
	Items            []postgres.RenewalQueueItem
	PrevURL, NextURL string
}

// StaffRenewal is the staff's page of one renewal.
type StaffRenewal struct {
	D     *postgres.RenewalDetail
	Trail []peerboard.AuditEvent
	// CanDecide is false on the reviewer's own renewal.
	CanDecide bool
	// The decision form as typed, kept when refused.
	Decision, Reason, Deadline string
	Message                    string
	Errors                     views.Errors // decision fields, or "note-<ceID>"
	// Conflict is set when the reviewer's form was stale.
	Conflict bool
}

// Heading names the action for the page's title.
func (m StatusChange) Heading() string {
	switch m.Action {
	case "inactive":
		return "Make your credential inactive"
	case "surrender":
		return "Surrender your credential"
	}
	return "Reactivate your credential"
}

// AttestationField is the form name of a renewal attestation's checkbox.
func AttestationField(k peerboard.AttestationKind) string { return "attest_" + string(k) }

// ProofField is the form field (and error key) of an item's proof upload.
func ProofField(ceID int64) string { return "proof-" + strconv.FormatInt(ceID, 10) }

// NoteField is the staff note field (and error key) of an item.
func NoteField(ceID int64) string { return "note-" + strconv.FormatInt(ceID, 10) }

func attestationText(k peerboard.AttestationKind) string {
	_, text := peerboard.AttestationText(k)
	return text
}

func attestationVersion(k peerboard.AttestationKind) string {
	v, _ := peerboard.AttestationText(k)
	return v
}

// Hours formats an hour count without trailing zeros.
func Hours(h float64) string {
	if h == math.Trunc(h) {
		return strconv.FormatFloat(h, 'f', 0, 64)
	}
	return strings.TrimRight(strconv.FormatFloat(h, 'f', 2, 64), "0")
}

func longDate(t time.Time) string { return t.Format("January 2, 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04 UTC") }

func itoa(n int) string { return strconv.Itoa(n) }

func id64(n int64) string { return strconv.FormatInt(n, 10) }

func credURL(id int64, suffix string) string { return fmt.Sprintf("/credentials/%d%s", id, suffix) }

func renewalURL(id int64, suffix string) string { return fmt.Sprintf("/renewals/%d%s", id, suffix) }

func staffURL(id int64, suffix string) string {
	return fmt.Sprintf("/review/renewals/%d%s", id, suffix)
}

// StatusTag is the USWDS tag class for a renewal status.
func StatusTag(s peerboard.RenewalStatus) string {
	switch s {
	case peerboard.RenewalApproved:
		return "usa-tag bg-green"
	case peerboard.RenewalDenied, peerboard.RenewalNeedsInformation:
		return "usa-tag bg-secondary-dark"
	}
	return "usa-tag"
}

// AuditLabel describes an item's audit state for people.
func AuditLabel(it postgres.RenewalItem) string {
	switch it.AuditStatus {
	case "pending":
		if it.ProofFileID == "" {
			return "Proof needed"
		}
		return "Proof sent, awaiting review"
	case "accepted":
		return "Accepted"
	case "rejected":
		return "Rejected"
	}
	if it.Source == peerboard.CEVerified {
		return "Verified by provider"
	}
	return "Self-reported"
}

// SourceLabel names where an activity's record came from.
func SourceLabel(s peerboard.CESource) string {
	if s == peerboard.CEVerified {
		return "Verified by provider"
	}
	return "Self-reported"
}

// NextStep tells the holder what happens next on a renewal.
func NextStep(d *postgres.RenewalDetail) string {
	r := d.Renewal
	switch r.Status {
	case peerboard.RenewalSubmitted, peerboard.RenewalResubmitted, peerboard.RenewalUnderReview:
		if r.AuditSelected && r.InfoDeadline != nil {
			return "Your renewal was selected at random for a CE audit. Upload proof for each self-reported activity below by " + longDate(*r.InfoDeadline) + "."
		}
		return "The board has your renewal and will review it. You do not need to do anything now."
	case peerboard.RenewalNeedsInformation:
		s := "The board needs more from you. Log any missing continuing education, upload proof if asked, then answer below"
		if r.InfoDeadline != nil {
			s += " by " + longDate(*r.InfoDeadline)
		}
		return s + "."
	case peerboard.RenewalApproved:
		return "Approved: your credential is valid until " + longDate(d.Credential.ExpiresOn) + "."
	case peerboard.RenewalDenied:
		return "Not approved. Read the board's reasons below."
	}
	return ""
}

// ActionLabel names an audit event for the timeline.
func ActionLabel(action string) string {
	switch action {
	case "renewal.submitted":
		return "Renewal submitted"
	case "renewal.audit_drawn":
		return "CE audit draw"
	case "renewal.proof_uploaded":
		return "Proof uploaded"
	case "renewal.item_accepted":
		return "Activity accepted"
	case "renewal.item_rejected":
		return "Activity rejected"
	case "renewal.under_review":
		return "Review started"
	case "renewal.needs_information":
		return "The board asked for more information"
	case "renewal.resubmitted":
		return "Holder answered and resubmitted"
	case "renewal.approved":
		return "Approved"
	case "renewal.denied":
		return "Denied"
	}
	return action
}

var decisionOptions = []views.Option{
	{Value: string(peerboard.DecisionApprove), Label: "Approve", Hint: "Extends the credential one cycle from its current expiry date."},
	{Value: string(peerboard.DecisionRequestInfo), Label: "Request more information", Hint: "The holder can log more CE or upload proof, and answer by the deadline."},
	{Value: string(peerboard.DecisionDeny), Label: "Deny", Hint: "Give the reasons; the holder reads them."},
}

// jsonText shows an audit event's payload compactly for staff.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
