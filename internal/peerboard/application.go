package peerboard

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Pathway is the route an applicant chooses; each has its own requirement set.
type Pathway string

// The pathways to a credential.
const (
	PathwayStandard       Pathway = "standard"
	PathwayGrandparenting Pathway = "grandparenting"
)

// Valid reports whether p is a known pathway.
func (p Pathway) Valid() bool { return p == PathwayStandard || p == PathwayGrandparenting }

// Label returns the pathway's name as shown to applicants and reviewers.
func (p Pathway) Label() string {
	switch p {
	case PathwayStandard:
		return "Standard"
	case PathwayGrandparenting:
		return "Grandparenting"
	}
	return "Unknown pathway"
}

// ApplicationStatus is where an application stands in its lifecycle.
type ApplicationStatus string

// The application statuses; see CheckApplicationTransition for the moves.
const (
	AppDraft            ApplicationStatus = "draft"
	AppSubmitted        ApplicationStatus = "submitted"
	AppUnderReview      ApplicationStatus = "under_review"
	AppNeedsInformation ApplicationStatus = "needs_information"
	AppResubmitted      ApplicationStatus = "resubmitted"
	AppApproved         ApplicationStatus = "approved"
	AppDenied           ApplicationStatus = "denied"
	AppWithdrawn        ApplicationStatus = "withdrawn"
	AppAbandoned        ApplicationStatus = "abandoned"
)

// AllApplicationStatuses returns every status in lifecycle order, for filters
// and exhaustive tests.
func AllApplicationStatuses() []ApplicationStatus {
	return []ApplicationStatus{AppDraft, AppSubmitted, AppUnderReview, AppNeedsInformation,
		AppResubmitted, AppApproved, AppDenied, AppWithdrawn, AppAbandoned}
}

// Label returns the status as human text, e.g. "Needs information".
func (s ApplicationStatus) Label() string {
	switch s {
	case AppDraft:
		return "Draft"
	case AppSubmitted:
		return "Submitted"
	case AppUnderReview:
		return "Under review"
	case AppNeedsInformation:
		return "Needs information"
	case AppResubmitted:
		return "Resubmitted"
	case AppApproved:
		return "Approved"
	case AppDenied:
		return "Denied"
	case AppWithdrawn:
		return "Withdrawn"
	case AppAbandoned:
		return "Abandoned"
	}
	return "Unknown status"
}

// Valid reports whether s is a known status.
func (s ApplicationStatus) Valid() bool { return s.Label() != "Unknown status" }

// Terminal reports whether the application is closed and can no longer change.
func (s ApplicationStatus) Terminal() bool {
	return s == AppApproved || s == AppDenied || s == AppWithdrawn || s == AppAbandoned
}

// Editable reports whether the applicant may still edit the application's
// contents (only while it is a draft).
func (s ApplicationStatus) Editable() bool { return s == AppDraft }

// AwaitingBoard reports whether the next move is the board's, which puts the
// case in the reviewers' queue.
func (s ApplicationStatus) AwaitingBoard() bool {
	return s == AppSubmitted || s == AppUnderReview || s == AppResubmitted
}

// Actor is who makes a change, which decides whether the change is allowed.
type Actor string

// The actors. ActorApplicant is the applicant or, once credentialed, the
// credential holder.
const (
	ActorApplicant Actor = "applicant"
	ActorStaff     Actor = "staff"
	ActorSystem    Actor = "system"
)

// phrase names the actor inside a sentence.
func (a Actor) phrase() string {
	switch a {
	case ActorApplicant:
		return "the applicant"
	case ActorStaff:
		return "board staff"
	case ActorSystem:
		return "the system"
	}
	return "nobody"
}

// applicationMover returns who may move an application from one status to
// another, and false when the move does not exist.
func applicationMover(from, to ApplicationStatus) (Actor, bool) {
	if to == AppWithdrawn && !from.Terminal() && from.Valid() {
		return ActorApplicant, true
	}
	switch [2]ApplicationStatus{from, to} {
	case [2]ApplicationStatus{AppDraft, AppSubmitted},
		[2]ApplicationStatus{AppNeedsInformation, AppResubmitted}:
		return ActorApplicant, true
	case [2]ApplicationStatus{AppSubmitted, AppUnderReview},
		[2]ApplicationStatus{AppResubmitted, AppUnderReview},
		[2]ApplicationStatus{AppUnderReview, AppNeedsInformation},
		[2]ApplicationStatus{AppUnderReview, AppApproved},
		[2]ApplicationStatus{AppUnderReview, AppDenied}:
		return ActorStaff, true
	case [2]ApplicationStatus{AppNeedsInformation, AppAbandoned}:
		return ActorSystem, true
	}
	return "", false
}

// applicationAction describes the move to status to, for error messages.
func applicationAction(to ApplicationStatus) string {
	switch to {
	case AppUnderReview:
		return "start the review of this application"
	case AppNeedsInformation:
		return "ask for more information on this application"
	case AppAbandoned:
		return "mark this application as abandoned"
	}
	verb := map[ApplicationStatus]string{AppSubmitted: "submit", AppResubmitted: "resubmit",
		AppWithdrawn: "withdraw", AppApproved: "approve", AppDenied: "deny"}[to]
	return verb + " this application"
}

// CheckApplicationTransition returns an EINVALID *Error unless actor by may
// move an application from status from to status to.
func CheckApplicationTransition(from, to ApplicationStatus, by Actor) error {
	switch {
	case !from.Valid() || !to.Valid():
		return Errorf(EINVALID, "Unknown application status")
	case from.Terminal():
		return Errorf(EINVALID, "This application is already %s and cannot be changed", strings.ToLower(from.Label()))
	case from == to:
		return Errorf(EINVALID, "This application is already %s", strings.ToLower(from.Label()))
	}
	who, ok := applicationMover(from, to)
	if !ok {
		return Errorf(EINVALID, "An application that is %s cannot become %s",
			strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	}
	if who != by {
		return Errorf(EINVALID, "Only %s can %s", who.phrase(), applicationAction(to))
	}
	return nil
}

// Decision is a reviewer's ruling on an application under review.
type Decision string

// The decisions a reviewer can make.
const (
	DecisionApprove     Decision = "approve"
	DecisionDeny        Decision = "deny"
	DecisionRequestInfo Decision = "request_info"
)

// MaxReasonLength is the longest reason or message a reviewer may write, in
// characters.
const MaxReasonLength = 5000

// Target returns the status a decision moves the application to, or "" for
// an unknown decision.
func (d Decision) Target() ApplicationStatus {
	switch d {
	case DecisionApprove:
		return AppApproved
	case DecisionDeny:
		return AppDenied
	case DecisionRequestInfo:
		return AppNeedsInformation
	}
	return ""
}

// ValidateDecision checks a reviewer's decision: a denial needs written
// reasons and a request for information needs a message to the applicant.
func ValidateDecision(d Decision, reason string) error {
	f := map[string]string{}
	reason = strings.TrimSpace(reason)
	switch {
	case d.Target() == "":
		f["decision"] = "Choose approve, deny or request information"
	case utf8.RuneCountInString(reason) > MaxReasonLength:
		f["reason"] = fmt.Sprintf("At most %d characters", MaxReasonLength)
	case reason == "" && d == DecisionDeny:
		f["reason"] = "Give the reasons for the denial; the applicant will read them"
	case reason == "" && d == DecisionRequestInfo:
		f["reason"] = "Say what information the applicant needs to provide"
	}
	if len(f) > 0 {
		return FieldErrors("Please correct the decision", f)
	}
	return nil
}

// AttestationKind is a statement the applicant signs.
type AttestationKind string

// The attestations every application needs.
const (
	AttestCodeOfEthics         AttestationKind = "code_of_ethics"
	AttestLivedExperience      AttestationKind = "lived_experience"
	AttestReleaseOfInformation AttestationKind = "release_of_information"
)

// AllAttestations returns the attestations in the order they are shown.
func AllAttestations() []AttestationKind {
	return []AttestationKind{AttestCodeOfEthics, AttestLivedExperience, AttestReleaseOfInformation}
}

// Label returns the attestation's title.
func (k AttestationKind) Label() string {
	switch k {
	case AttestCodeOfEthics:
		return "Code of ethics"
	case AttestLivedExperience:
		return "Lived experience"
	case AttestReleaseOfInformation:
		return "Release of information"
	}
	return "Unknown attestation"
}

// FieldKey names the attestation's form field and error key; it differs
// from the kind so "lived_experience" the choice and the attestation of that
// name never collide.
func (k AttestationKind) FieldKey() string { return "attest_" + string(k) }

// AttestationText returns the current version and plain-language text of an
// attestation; the version is stored with each signature so the signed
// wording can be shown later. Unknown kinds return empty strings.
func AttestationText(kind AttestationKind) (version string, text string) {
	switch kind {
	case AttestCodeOfEthics:
		return "2026-01", "I have read the board's code of ethics for peer support workers. " +
			"I will follow it in my work, and I understand the board may act on a complaint if I do not."
	case AttestLivedExperience:
		return "2026-01", "I have lived experience of recovery from a mental health or substance use condition, " +
			"either my own or as a family member of someone in recovery, and I am willing to share it to support others."
	case AttestReleaseOfInformation:
		return "2026-01", "I allow the board to contact my training organizations, supervisors and the exam vendor " +
			"to confirm the information in this application, and to receive their answers."
	}
	return "", ""
}

// LivedExperience says whose recovery the applicant's lived experience is.
type LivedExperience string

// The kinds of lived experience.
const (
	LivedSelf   LivedExperience = "self"
	LivedFamily LivedExperience = "family"
)

// Valid reports whether l is a known kind.
func (l LivedExperience) Valid() bool { return l == LivedSelf || l == LivedFamily }

// FamilyModifier reports whether the credential carries the "F" modifier,
// shown publicly, for family lived experience.
func (l LivedExperience) FamilyModifier() bool { return l == LivedFamily }

// ApplicantDetails is the personal information an applicant gives.
type ApplicantDetails struct {
	FirstName, LastName, Phone, AddressLine, City, State, PostalCode string
	DateOfBirth                                                      *time.Time
}

// Normalized returns the details with surrounding spaces trimmed and the state
// upper-cased, the form in which they should be stored.
func (d ApplicantDetails) Normalized() ApplicantDetails {
	for _, s := range []*string{&d.FirstName, &d.LastName, &d.Phone, &d.AddressLine, &d.City, &d.State, &d.PostalCode} {
		*s = strings.TrimSpace(*s)
	}
	d.State = strings.ToUpper(d.State)
	return d
}

// Validate checks the details as of today (the applicant must be at least
// 18) and returns per-field messages keyed by snake_case field name.
func (d ApplicantDetails) Validate(today time.Time) error {
	if f := d.fieldErrors(today); len(f) > 0 {
		return FieldErrors("Please correct your details", f)
	}
	return nil
}

func (d ApplicantDetails) fieldErrors(today time.Time) map[string]string {
	d = d.Normalized()
	f := map[string]string{}
	text := func(key, val, label string, max int) {
		switch {
		case val == "":
			f[key] = "Enter your " + label
		case utf8.RuneCountInString(val) > max:
			f[key] = fmt.Sprintf("At most %d characters", max)
		}
	}
	text("first_name", d.FirstName, "first name", 100)
	text("last_name", d.LastName, "last name", 100)
	text("address_line", d.AddressLine, "street address", 200)
	text("city", d.City, "city", 100)
	if digits := strings.Map(keepDigit, d.Phone); d.Phone == "" {
		f["phone"] = "Enter your phone number"
	} else if strings.Trim(d.Phone, "0123456789 ()-.+") != "" || !(len(digits) == 10 || len(digits) == 11 && digits[0] == '1') {
		f["phone"] = "Enter a 10-digit phone number, like 860-555-0100"
	}
	if len(d.State) != 2 || strings.Trim(d.State, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		f["state"] = "Enter the two-letter state code, like CT"
	}
	if !validZIP(d.PostalCode) {
		f["postal_code"] = "Enter a 5-digit ZIP code, like 06106 or 06106-1234"
	}
	switch {
	case d.DateOfBirth == nil:
		f["date_of_birth"] = "Enter your date of birth"
	case dateOf(*d.DateOfBirth).After(dateOf(today)):
		f["date_of_birth"] = "The date of birth cannot be in the future"
	case dateOf(*d.DateOfBirth).AddDate(18, 0, 0).After(dateOf(today)):
		f["date_of_birth"] = "You must be at least 18 years old to apply"
	}
	return f
}

// keepDigit is a strings.Map function that keeps only ASCII digits.
func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// validZIP reports whether s is a US ZIP code: 5 digits or ZIP+4 (5-4).
func validZIP(s string) bool {
	if len(s) != 5 && len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 5 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Kinds of prior training accepted on the grandparenting pathway.
const (
	PriorTrainingRSS           = "rss"            // Recovery Support Specialist
	PriorTrainingRecoveryCoach = "recovery_coach" // Recovery Coach
)

// SubmissionInput is everything that must be present when an applicant
// submits an application.
type SubmissionInput struct {
	Details                  ApplicantDetails
	Pathway                  Pathway
	LivedExperience          LivedExperience
	Signed                   map[AttestationKind]bool
	PriorTrainingKind        string // PriorTrainingRSS, PriorTrainingRecoveryCoach or ""
	PriorTrainingCompletedOn *time.Time
	PriorTrainingProvider    string
}

// ValidateSubmission checks that an application can be submitted today for
// credential type t, returning per-field messages keyed by snake_case name.
func ValidateSubmission(t CredentialType, in SubmissionInput, today time.Time) error {
	f := in.Details.fieldErrors(today)
	switch {
	case !t.Active:
		f["pathway"] = "This credential is not accepting applications"
	case !in.Pathway.Valid():
		f["pathway"] = "Choose a pathway"
	case in.Pathway == PathwayStandard && !t.StandardEnabled:
		f["pathway"] = "The standard pathway is not offered for this credential"
	case in.Pathway == PathwayGrandparenting && !t.GrandparentingEnabled:
		f["pathway"] = "The grandparenting pathway is not offered for this credential"
	case in.Pathway == PathwayGrandparenting && !t.GrandparentingOpen(today):
		f["pathway"] = fmt.Sprintf("Grandparenting applications closed on %s", t.GrandparentingApplyUntil.Format("January 2, 2006"))
	}
	if !in.LivedExperience.Valid() {
		f["lived_experience"] = "Say whether your lived experience is your own or as a family member"
	}
	for _, k := range AllAttestations() {
		if !in.Signed[k] {
			f[k.FieldKey()] = "Sign the " + strings.ToLower(k.Label()) + " attestation"
		}
	}
	if in.Pathway == PathwayGrandparenting {
		if in.PriorTrainingKind != PriorTrainingRSS && in.PriorTrainingKind != PriorTrainingRecoveryCoach {
			f["prior_training_kind"] = "Choose Recovery Support Specialist or Recovery Coach training"
		}
		switch d := in.PriorTrainingCompletedOn; {
		case d == nil:
			f["prior_training_completed_on"] = "Enter the date you completed the training"
		case dateOf(*d).After(dateOf(today)):
			f["prior_training_completed_on"] = "The date cannot be in the future"
		case t.GrandparentingTrainingCutoff != nil && dateOf(*d).After(dateOf(*t.GrandparentingTrainingCutoff)):
			f["prior_training_completed_on"] = fmt.Sprintf("Training must have been completed on or before %s",
				t.GrandparentingTrainingCutoff.Format("January 2, 2006"))
		}
		switch p := strings.TrimSpace(in.PriorTrainingProvider); {
		case p == "":
			f["prior_training_provider"] = "Enter who provided the training"
		case utf8.RuneCountInString(p) > 200:
			f["prior_training_provider"] = "At most 200 characters"
		}
	}
	if len(f) > 0 {
		return FieldErrors("Your application is not ready to submit", f)
	}
	return nil
}
