package peerboard

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// RenewalStatus is where a renewal stands with the board.
type RenewalStatus string

// The renewal statuses.
const (
	RenewalSubmitted        RenewalStatus = "submitted"
	RenewalUnderReview      RenewalStatus = "under_review"
	RenewalNeedsInformation RenewalStatus = "needs_information"
	RenewalResubmitted      RenewalStatus = "resubmitted"
	RenewalApproved         RenewalStatus = "approved"
	RenewalDenied           RenewalStatus = "denied"
	RenewalWithdrawn        RenewalStatus = "withdrawn"
)

// Label returns the status as shown to the holder and to staff.
func (s RenewalStatus) Label() string {
	switch s {
	case RenewalSubmitted:
		return "Submitted"
	case RenewalUnderReview:
		return "Under review"
	case RenewalNeedsInformation:
		return "Needs information"
	case RenewalResubmitted:
		return "Resubmitted"
	case RenewalApproved:
		return "Approved"
	case RenewalDenied:
		return "Denied"
	case RenewalWithdrawn:
		return "Withdrawn"
	}
	return "Unknown status"
}

// Valid reports whether s is a known status.
func (s RenewalStatus) Valid() bool { return s.Label() != "Unknown status" }

// Open reports whether the board has not decided the renewal yet.
func (s RenewalStatus) Open() bool {
	return s == RenewalSubmitted || s == RenewalUnderReview || s == RenewalNeedsInformation || s == RenewalResubmitted
}

// renewalMover returns who may move a renewal between two statuses.
func renewalMover(from, to RenewalStatus) (Actor, bool) {
	switch [2]RenewalStatus{from, to} {
	case [2]RenewalStatus{RenewalNeedsInformation, RenewalResubmitted}:
		return ActorApplicant, true
	case [2]RenewalStatus{RenewalNeedsInformation, RenewalDenied}:
		// No answer by the deadline: the daily run closes the renewal.
		return ActorSystem, true
	case [2]RenewalStatus{RenewalSubmitted, RenewalUnderReview},
		[2]RenewalStatus{RenewalResubmitted, RenewalUnderReview},
		[2]RenewalStatus{RenewalUnderReview, RenewalApproved},
		[2]RenewalStatus{RenewalUnderReview, RenewalDenied},
		[2]RenewalStatus{RenewalUnderReview, RenewalNeedsInformation}:
		return ActorStaff, true
	}
	return "", false
}

// CheckRenewalTransition returns an EINVALID *Error unless actor by may move
// a renewal from status from to status to.
func CheckRenewalTransition(from, to RenewalStatus, by Actor) error {
	switch {
	case !from.Valid() || !to.Valid():
		return Errorf(EINVALID, "Unknown renewal status")
	case !from.Open():
		return Errorf(EINVALID, "This renewal is %s and can no longer change", strings.ToLower(from.Label()))
	}
	who, ok := renewalMover(from, to)
	if !ok {
		return Errorf(EINVALID, "A renewal that is %s cannot become %s", strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	}
	if who != by {
		return Errorf(EINVALID, "Only %s can change a renewal from %s to %s", who.phrase(),
			strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	}
	return nil
}

// RenewalTarget returns the status a reviewer's decision moves a renewal
// to, or "" for an unknown decision.
func RenewalTarget(d Decision) RenewalStatus {
	switch d {
	case DecisionApprove:
		return RenewalApproved
	case DecisionDeny:
		return RenewalDenied
	case DecisionRequestInfo:
		return RenewalNeedsInformation
	}
	return ""
}

// Renewal is a holder's request to renew a credential for the cycle ending
// on CycleEnd. Version guards against two staff deciding at once.
type Renewal struct {
	ID                 int64
	CredentialID       int64
	CredentialNumber   string
	CredentialTypeID   int64
	CredentialTypeCode string
	CredentialTypeName string
	HolderID           int64
	HolderName         string
	HolderEmail        string
	CycleStart         time.Time
	CycleEnd           time.Time
	Status             RenewalStatus
	AuditSelected      bool
	BoardMessage       string     // the board's latest request or reasons
	InfoDeadline       *time.Time // proof or more CE due by this date
	SubmittedAt        time.Time
	DecidedAt          *time.Time
	AssignedTo         *int64
	AssignedToName     string
	Version            int
	UpdatedAt          time.Time
	Attestations       []Attestation
}

// CanViewRenewal reports whether u may see renewal r: its holder or staff.
func CanViewRenewal(u *User, r *Renewal) bool {
	return u != nil && (u.ID == r.HolderID || u.IsStaff())
}

// CanDecideRenewal reports whether u may rule on r: staff, never on a
// renewal of their own credential.
func CanDecideRenewal(u *User, r *Renewal) bool {
	return CanReview(u) && u.ID != r.HolderID
}

// RenewalAttestations are the statements signed afresh at each renewal.
func RenewalAttestations() []AttestationKind {
	return []AttestationKind{AttestCodeOfEthics, AttestReleaseOfInformation}
}

// ValidateRenewalAttestations returns field errors for each renewal
// attestation that is not signed.
func ValidateRenewalAttestations(signed map[AttestationKind]bool) error {
	f := map[string]string{}
	for _, k := range RenewalAttestations() {
		if !signed[k] {
			f["attest_"+string(k)] = fmt.Sprintf("Sign the %s statement to renew", strings.ToLower(k.Label()))
		}
	}
	if len(f) > 0 {
		return FieldErrors("Please sign the statements", f)
	}
	return nil
}

// RenewalOpensOn returns the first day a credential expiring on expires may
// be renewed.
func RenewalOpensOn(t CredentialType, expires time.Time) time.Time {
	return dateOf(expires).AddDate(0, 0, -t.RenewalWindowDays)
}

// RenewalDeadline returns the last day of the grace period: the last day a
// late renewal may be submitted.
func RenewalDeadline(t CredentialType, expires time.Time) time.Time {
	return dateOf(expires).AddDate(0, 0, t.GraceDays)
}

// CheckRenewable returns an EINVALID *Error, in words the holder
// understands, unless a credential with this status and expiry may be
// renewed today. reinstatementFlagged is set by the daily job once grace is
// over; the dates decide as well, so a late job run changes nothing.
func CheckRenewable(t CredentialType, status CredentialStatus, expires, today time.Time, reinstatementFlagged bool) error {
	switch status {
	case CredActive, CredExpired, CredInactive:
	default:
		return Errorf(EINVALID, "This credential is %s and cannot be renewed.", strings.ToLower(status.Label()))
	}
	if reinstatementFlagged || NeedsReinstatement(t, expires, today) {
		return Errorf(EINVALID, "The grace period for late renewal ended on %s. To hold this credential again you need to apply for reinstatement, with the continuing education you are missing.",
			RenewalDeadline(t, expires).Format("January 2, 2006"))
	}
	if !RenewalWindowOpen(t, expires, today) {
		return Errorf(EINVALID, "Renewal opens on %s, %d days before your credential expires on %s.",
			RenewalOpensOn(t, expires).Format("January 2, 2006"), t.RenewalWindowDays, dateOf(expires).Format("January 2, 2006"))
	}
	return nil
}

// CheckReactivation returns an EINVALID *Error unless an Inactive credential
// expiring on expires may be made Active today: it must not have passed its
// expiry date, since reactivating cannot skip a renewal.
func CheckReactivation(t CredentialType, expires, today time.Time) error {
	switch {
	case NeedsReinstatement(t, expires, today):
		return Errorf(EINVALID, "This credential expired on %s and its grace period is over: apply for reinstatement to hold it again.",
			dateOf(expires).Format("January 2, 2006"))
	case dateOf(today).After(dateOf(expires)):
		return Errorf(EINVALID, "This credential expired on %s. Renew it first (late renewal is open until %s), then reactivate it.",
			dateOf(expires).Format("January 2, 2006"), RenewalDeadline(t, expires).Format("January 2, 2006"))
	}
	return nil
}

// MaxInfoDays bounds the deadline a reviewer may give for more information.
const MaxInfoDays = 180

// ValidateInfoDeadline checks the deadline a reviewer gives the holder to
// answer a request for information: after today, at most MaxInfoDays ahead.
func ValidateInfoDeadline(deadline, today time.Time) error {
	switch d := daysFrom(today, deadline); {
	case d < 1:
		return FieldErrors("Please correct the decision", map[string]string{"deadline": "The deadline must be after today"})
	case d > MaxInfoDays:
		return FieldErrors("Please correct the decision", map[string]string{"deadline": fmt.Sprintf("The deadline can be at most %d days from today", MaxInfoDays)})
	}
	return nil
}

// ValidateItemReview checks a reviewer's ruling on one audited CE item: a
// rejection needs a note the holder will read.
func ValidateItemReview(accept bool, note string) error {
	note = strings.TrimSpace(note)
	switch {
	case utf8.RuneCountInString(note) > 1000:
		return FieldErrors("Please correct the note", map[string]string{"note": "At most 1000 characters"})
	case !accept && note == "":
		return FieldErrors("Please correct the note", map[string]string{"note": "Say why the item is rejected; the holder will read it"})
	}
	return nil
}

// drawLimit is the largest multiple of 100 that fits in 16 bits: draws at
// or above it are discarded so each of the 100 outcomes is equally likely.
const drawLimit = 65500

// DrawAudit decides whether a renewal is picked for a CE audit, with
// probability percent/100, from the random bytes of rnd (crypto/rand.Reader
// in production). The draw is uniform: biased values are rejected and
// drawn again, never folded in with a modulo.
func DrawAudit(percent int, rnd io.Reader) (bool, error) {
	if percent < 0 || percent > 100 {
		return false, fmt.Errorf("audit percent %d out of range", percent)
	}
	var b [2]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return false, fmt.Errorf("audit draw: %w", err)
		}
		if v := int(binary.BigEndian.Uint16(b[:])); v < drawLimit {
			return v%100 < percent, nil
		}
	}
}

// MailRenewalInfoRequested is the kind of the message asking a holder for
// more information on a renewal.
const MailRenewalInfoRequested = "renewal_info_requested"

// RenewalInfoRequestMail tells a holder the board needs more from them on a
// renewal. The board's words are read after signing in, so nothing personal
// travels by e-mail.
func RenewalInfoRequestMail(to, name, number string, deadline time.Time, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailRenewalInfoRequested,
		Subject: fmt.Sprintf("The board needs more information on your renewal for %s", number),
		Body: mailBody(name,
			fmt.Sprintf("The board reviewed your renewal of credential %s and needs more information from you.", number),
			fmt.Sprintf("Please sign in, read the board's request and answer it by %s:", deadline.Format(DateLayout)),
			baseURL+"/dashboard"),
	}
}
