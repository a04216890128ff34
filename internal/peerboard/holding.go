package peerboard

import "time"

// ExamAuthorization makes an approved standard applicant eligible to test
// until ValidUntil; CandidateID is what the exam vendor's file quotes.
type ExamAuthorization struct {
	ID               int64
	ApplicationID    int64
	UserID           int64
	CredentialTypeID int64
	CandidateID      string
	ValidFrom        time.Time
	ValidUntil       time.Time
	Status           string // active, used, forfeited, exhausted
	Attempts         int
}

// Credential is an issued credential. FirstName and LastName are the
// public name copied at issue.
type Credential struct {
	ID                 int64
	Number             string
	UserID             int64
	CredentialTypeID   int64
	CredentialTypeCode string
	CredentialTypeName string
	ApplicationID      *int64
	Status             CredentialStatus
	FirstName          string
	LastName           string
	FamilyModifier     bool
	IssuedOn           time.Time
	ExpiresOn          time.Time
	Version            int
	UpdatedAt          time.Time
}

// DisciplineAction is a public disciplinary fact about a credential.
type DisciplineAction struct {
	Action        string
	PublicSummary string
	EffectiveOn   time.Time
	EndsOn        *time.Time
}

// PublicCredential is everything the public verification shows, and
// nothing more: no contact details, no birth date, no lived-experience or
// health information, no documents.
type PublicCredential struct {
	Name               string             `json:"name"`
	CredentialType     string             `json:"credential_type"`
	CredentialTypeCode string             `json:"credential_type_code"`
	Number             string             `json:"number"`
	Status             string             `json:"status"`
	StatusLabel        string             `json:"status_label"`
	HL7Status          string             `json:"hl7_status"`
	FamilyModifier     bool               `json:"family_modifier"`
	IssuedOn           string             `json:"issued_on"`
	ExpiresOn          string             `json:"expires_on"`
	Discipline         []PublicDiscipline `json:"discipline"`
	LastUpdated        time.Time          `json:"last_updated"`
}

// PublicDiscipline is a discipline action as the public sees it.
type PublicDiscipline struct {
	Action      string `json:"action"`
	Summary     string `json:"summary"`
	EffectiveOn string `json:"effective_on"`
	EndsOn      string `json:"ends_on,omitempty"`
}
