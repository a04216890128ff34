package peerboard

import "time"

// Application is one person's application for a credential type: the case
// a reviewer works. Version guards against two staff deciding at once.
type Application struct {
	ID                       int64
	ApplicantID              int64
	ApplicantName            string // the account's name, for staff screens
	ApplicantEmail           string
	CredentialTypeID         int64
	CredentialTypeCode       string
	CredentialTypeName       string
	Pathway                  Pathway
	Status                   ApplicationStatus
	Details                  ApplicantDetails
	LivedExperience          LivedExperience
	SupervisedHours          int
	PriorTrainingKind        string
	PriorTrainingCompletedOn *time.Time
	PriorTrainingProvider    string
	// BoardMessage is the board's latest request or reasons, shown to the applicant.
	BoardMessage string
	InfoDeadline *time.Time
	AppealUntil  *time.Time
	SubmittedAt  *time.Time
	DecidedAt    *time.Time
	AssignedTo   *int64
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Attestations []Attestation
}

// Attestation is a statement the applicant signed: which one, the version
// of its text, and when.
type Attestation struct {
	Kind        AttestationKind
	TextVersion string
	SignedAt    time.Time
}

// Signed returns the attestations as the set the rules take.
func (a *Application) Signed() map[AttestationKind]bool {
	m := map[AttestationKind]bool{}
	for _, at := range a.Attestations {
		m[at.Kind] = true
	}
	return m
}

// CanViewApplication reports whether u may see application a: its applicant or board staff.
func CanViewApplication(u *User, a *Application) bool {
	return u != nil && (u.ID == a.ApplicantID || u.IsStaff())
}

// CanDecideApplication reports whether u may rule on a: staff, never on their own case.
func CanDecideApplication(u *User, a *Application) bool {
	return CanReview(u) && u.ID != a.ApplicantID
}

// TimelineEntry is one status change or board message on a case, as the
// applicant and the reviewer see it.
type TimelineEntry struct {
	At      time.Time
	Action  string
	Status  ApplicationStatus
	Message string
	ByStaff bool
	ByName  string
}
