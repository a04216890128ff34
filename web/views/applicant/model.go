// Package applicant renders the applicant's pages: the dashboard, starting
// an application, the draft form, the read-only case with its timeline, the
// answer to a request for information and the withdrawal.
package applicant

import (
	"fmt"
	"strconv"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/ce"
)

// Dashboard is the applicant's home: where they stand and what is next.
type Dashboard struct {
	Applications []peerboard.Application
	Credentials  []HeldCredential
	Renewals     []peerboard.Renewal
	Exams        []peerboard.ExamAuthorization
	// UnconfirmedEmail is the applicant's address while they have not
	// confirmed it, "" after: the dashboard asks them to.
	UnconfirmedEmail string
	Today            time.Time
}

// ExamStatus says where an exam authorization stands today: an active one
// past its last day has expired even before anyone records it.
func ExamStatus(x peerboard.ExamAuthorization, today time.Time) string {
	switch {
	case x.Status == "active" && today.After(x.ValidUntil):
		return "Expired"
	case x.Status == "active":
		return "Active: you may book the exam"
	case x.Status == "used":
		return "Used: exam passed"
	case x.Status == "forfeited":
		return "Forfeited (no-show)"
	case x.Status == "exhausted":
		return "All attempts used"
	}
	return x.Status
}

// ExamFor returns the exam authorization of application a, if any.
func (d Dashboard) ExamFor(a peerboard.Application) *peerboard.ExamAuthorization {
	for i := range d.Exams {
		if d.Exams[i].ApplicationID == a.ID {
			return &d.Exams[i]
		}
	}
	return nil
}

// HeldCredential is a credential with its current CE cycle and what the
// holder can do with it today.
type HeldCredential struct {
	ce.Cycle
	RenewalOpen        bool
	NeedsReinstatement bool
}

func credURL(c peerboard.Credential, action string) string {
	return "/credentials/" + strconv.FormatInt(c.ID, 10) + "/" + action
}

func renewalURL(r peerboard.Renewal) string { return "/renewals/" + strconv.FormatInt(r.ID, 10) }

func hoursText(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

func expiryText(c HeldCredential) string {
	switch {
	case c.DaysLeft > 1:
		return strconv.Itoa(c.DaysLeft) + " days left"
	case c.DaysLeft == 1:
		return "1 day left"
	case c.DaysLeft == 0:
		return "expires today"
	}
	return "expired"
}

// NewForm is the "start an application" form.
type NewForm struct {
	Types            []peerboard.CredentialType
	Today            time.Time
	CredentialTypeID string
	Pathway          string
	Message          string
	Errors           views.Errors
}

// DraftForm holds the draft's fields as typed, so a refused form shows the
// applicant's input again. Checkbox values are true when ticked.
type DraftForm struct {
	FirstName, LastName, Phone, AddressLine, City, State, PostalCode, DateOfBirth string
	LivedExperience, SupervisedHours                                              string
	PriorTrainingKind, PriorTrainingCompletedOn, PriorTrainingProvider            string
	Signed                                                                        map[peerboard.AttestationKind]bool
}

// FormFromApplication fills a DraftForm with what is stored.
func FormFromApplication(a *peerboard.Application) DraftForm {
	f := DraftForm{
		FirstName: a.Details.FirstName, LastName: a.Details.LastName, Phone: a.Details.Phone,
		AddressLine: a.Details.AddressLine, City: a.Details.City, State: a.Details.State,
		PostalCode: a.Details.PostalCode, DateOfBirth: isoDate(a.Details.DateOfBirth),
		LivedExperience: string(a.LivedExperience), PriorTrainingKind: a.PriorTrainingKind,
		PriorTrainingCompletedOn: isoDate(a.PriorTrainingCompletedOn), PriorTrainingProvider: a.PriorTrainingProvider,
		Signed: a.Signed(),
	}
	if a.SupervisedHours != 0 {
		f.SupervisedHours = strconv.Itoa(a.SupervisedHours)
	}
	return f
}

// Edit is the draft form page.
type Edit struct {
	App     *peerboard.Application
	Form    DraftForm
	Message string // the summary's message, e.g. the stale-form notice
	Errors  views.Errors
}

// Show is the read-only case page with its timeline and, when the board
// asked for information, the answer form.
type Show struct {
	App      *peerboard.Application
	Timeline []peerboard.TimelineEntry
	Exam     *peerboard.ExamAuthorization
	// The answer form, kept as typed when refused.
	Answer, AnswerHours string
	Message             string
	Errors              views.Errors
}

// Withdraw is the confirmation page before withdrawing.
type Withdraw struct {
	App     *peerboard.Application
	Message string
}

// AttestationField is the form name of an attestation's checkbox; it differs
// from the lived-experience radio group's name.
func AttestationField(k peerboard.AttestationKind) string { return k.FieldKey() }

// NextStep tells the applicant what happens next on application a.
func NextStep(a peerboard.Application, exam *peerboard.ExamAuthorization) string {
	switch a.Status {
	case peerboard.AppDraft:
		return "Finish your answers, sign the attestations and submit the application."
	case peerboard.AppSubmitted, peerboard.AppResubmitted:
		return "The board has your application and will review it. You do not need to do anything now."
	case peerboard.AppUnderReview:
		return "A reviewer is checking your application. You will see their decision here."
	case peerboard.AppNeedsInformation:
		if a.InfoDeadline != nil {
			return "The board needs more information from you. Answer by " + longDate(*a.InfoDeadline) + "."
		}
		return "The board needs more information from you. Open the application to answer."
	case peerboard.AppApproved:
		if a.Pathway == peerboard.PathwayGrandparenting {
			return "Approved: your credential has been issued. It is listed under your credentials."
		}
		switch {
		case exam != nil && exam.Status == "used":
			return "Approved, and you passed the exam: your credential is listed under your credentials."
		case exam != nil && (exam.Status == "forfeited" || exam.Status == "exhausted"):
			return "Your exam authorization is " + exam.Status + ". Contact the board about testing again."
		}
		return "Approved: you are eligible to take the exam. Use your candidate id when you book it."
	case peerboard.AppDenied:
		if a.AppealUntil != nil {
			return "Denied. Read the board's reasons; you may appeal until " + longDate(*a.AppealUntil) + "."
		}
		return "Denied. Read the board's reasons on the application."
	case peerboard.AppWithdrawn, peerboard.AppAbandoned:
		return "Closed. You may start a new application."
	}
	return ""
}

// TimelineLabel names a timeline entry for the applicant.
func TimelineLabel(e peerboard.TimelineEntry) string {
	switch e.Action {
	case "application.created":
		return "Application started"
	case "application.draft_saved":
		return "Draft saved"
	case "application.needs_information":
		return "The board asked for more information"
	case "application.resubmitted":
		return "You answered and resubmitted"
	}
	if e.Status.Valid() {
		return e.Status.Label()
	}
	return e.Action
}

// StatusTag is the USWDS tag modifier for a status; the default tag has
// enough contrast for any text.
func StatusTag(s peerboard.ApplicationStatus) string {
	switch s {
	case peerboard.AppApproved:
		return "usa-tag bg-success-darker"
	case peerboard.AppDenied, peerboard.AppNeedsInformation:
		return "usa-tag bg-secondary-dark"
	}
	return "usa-tag"
}

func isoDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func longDate(t time.Time) string { return t.Format("January 2, 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("Jan 2, 2006 15:04 UTC") }

func itoa(n int) string { return strconv.Itoa(n) }

func appURL(a *peerboard.Application, suffix string) string {
	return fmt.Sprintf("/applications/%d%s", a.ID, suffix)
}

func pathwayOptions(types []peerboard.CredentialType, today time.Time) []views.Option {
	opts := []views.Option{{Value: string(peerboard.PathwayStandard), Label: "Standard",
		Hint: "Approved training covering all twelve competencies, supervised work hours and the exam."}}
	for _, t := range types {
		if t.GrandparentingOpen(today) {
			hint := "For people trained as Recovery Support Specialists or Recovery Coaches before the new curriculum."
			if t.GrandparentingApplyUntil != nil {
				hint += " Open for " + t.Code + " until " + longDate(*t.GrandparentingApplyUntil) + "."
			}
			opts = append(opts, views.Option{Value: string(peerboard.PathwayGrandparenting), Label: "Grandparenting", Hint: hint})
			break
		}
	}
	return opts
}

func typeOptions(types []peerboard.CredentialType) []views.Option {
	opts := []views.Option{{Value: "", Label: "- Select -"}}
	for _, t := range types {
		opts = append(opts, views.Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name + " (" + t.Code + ")"})
	}
	return opts
}

var livedOptions = []views.Option{
	{Value: string(peerboard.LivedSelf), Label: "My own recovery"},
	{Value: string(peerboard.LivedFamily), Label: "As a family member of someone in recovery", Hint: "Your credential will carry the \"F\" modifier."},
}

var priorOptions = []views.Option{
	{Value: "", Label: "- Select -"},
	{Value: peerboard.PriorTrainingRSS, Label: "Recovery Support Specialist"},
	{Value: peerboard.PriorTrainingRecoveryCoach, Label: "Recovery Coach"},
}

// draftOrder is the order of the draft form's fields, for the error summary.
var draftOrder = []string{"first_name", "last_name", "date_of_birth", "phone", "address_line", "city", "state",
	"postal_code", "pathway", "lived_experience", "supervised_hours", "prior_training_kind",
	"prior_training_completed_on", "prior_training_provider", "attest_code_of_ethics",
	"attest_lived_experience", "attest_release_of_information"}

func attestationText(k peerboard.AttestationKind) string {
	_, text := peerboard.AttestationText(k)
	return text
}

func attestationVersion(k peerboard.AttestationKind) string {
	v, _ := peerboard.AttestationText(k)
	return v
}
