package peerboard

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCheckApplicationTransition(t *testing.T) {
	// Written out independently of the implementation: every allowed move and
	// who makes it. Every other (from, to, actor) triple must be refused.
	allowed := map[string]Actor{
		"draft->submitted":                ActorApplicant,
		"draft->withdrawn":                ActorApplicant,
		"submitted->under_review":         ActorStaff,
		"submitted->withdrawn":            ActorApplicant,
		"under_review->needs_information": ActorStaff,
		"under_review->approved":          ActorStaff,
		"under_review->denied":            ActorStaff,
		"under_review->withdrawn":         ActorApplicant,
		"needs_information->resubmitted":  ActorApplicant,
		"needs_information->withdrawn":    ActorApplicant,
		"needs_information->abandoned":    ActorSystem,
		"resubmitted->under_review":       ActorStaff,
		"resubmitted->withdrawn":          ActorApplicant,
	}
	statuses := AllApplicationStatuses()
	if len(statuses) != 9 {
		t.Fatalf("AllApplicationStatuses has %d statuses, want 9", len(statuses))
	}
	seen := 0
	for _, from := range statuses {
		for _, to := range statuses {
			for _, by := range []Actor{ActorApplicant, ActorStaff, ActorSystem} {
				move := fmt.Sprintf("%s->%s", from, to)
				who, ok := allowed[move]
				want := ok && who == by
				if want {
					seen++
				}
				t.Run(move+" by "+string(by), func(t *testing.T) {
					err := CheckApplicationTransition(from, to, by)
					if want && err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !want {
						if ErrorCode(err) != EINVALID {
							t.Fatalf("got %v, want an EINVALID error", err)
						}
						if ErrorMessage(err) == "" {
							t.Fatal("empty message")
						}
					}
				})
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("only %d of %d allowed moves were exercised", seen, len(allowed))
	}
}

func TestApplicationTransitionMessages(t *testing.T) {
	tests := []struct {
		from, to ApplicationStatus
		by       Actor
		want     string
	}{
		{AppApproved, AppUnderReview, ActorStaff, "This application is already approved and cannot be changed"},
		{AppWithdrawn, AppSubmitted, ActorApplicant, "This application is already withdrawn and cannot be changed"},
		{AppSubmitted, AppSubmitted, ActorApplicant, "This application is already submitted"},
		{AppDraft, AppApproved, ActorStaff, "An application that is draft cannot become approved"},
		{AppUnderReview, AppApproved, ActorApplicant, "Only board staff can approve this application"},
		{AppSubmitted, AppWithdrawn, ActorStaff, "Only the applicant can withdraw this application"},
		{AppNeedsInformation, AppAbandoned, ActorStaff, "Only the system can mark this application as abandoned"},
		{"bogus", AppSubmitted, ActorApplicant, "Unknown application status"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s->%s by %s", tt.from, tt.to, tt.by), func(t *testing.T) {
			if got := ErrorMessage(CheckApplicationTransition(tt.from, tt.to, tt.by)); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestApplicationStatusPredicates(t *testing.T) {
	tests := []struct {
		s                            ApplicationStatus
		label                        string
		terminal, editable, awaiting bool
	}{
		{AppDraft, "Draft", false, true, false},
		{AppSubmitted, "Submitted", false, false, true},
		{AppUnderReview, "Under review", false, false, true},
		{AppNeedsInformation, "Needs information", false, false, false},
		{AppResubmitted, "Resubmitted", false, false, true},
		{AppApproved, "Approved", true, false, false},
		{AppDenied, "Denied", true, false, false},
		{AppWithdrawn, "Withdrawn", true, false, false},
		{AppAbandoned, "Abandoned", true, false, false},
		{"bogus", "Unknown status", false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Label(); got != tt.label {
				t.Errorf("Label = %q, want %q", got, tt.label)
			}
			if tt.s.Terminal() != tt.terminal || tt.s.Editable() != tt.editable || tt.s.AwaitingBoard() != tt.awaiting {
				t.Errorf("Terminal/Editable/AwaitingBoard = %v/%v/%v, want %v/%v/%v",
					tt.s.Terminal(), tt.s.Editable(), tt.s.AwaitingBoard(), tt.terminal, tt.editable, tt.awaiting)
			}
			if tt.s.Valid() == (tt.s == "bogus") {
				t.Errorf("Valid = %v", tt.s.Valid())
			}
		})
	}
}

func TestPathwayLabels(t *testing.T) {
	tests := []struct {
		p     Pathway
		label string
		valid bool
	}{
		{PathwayStandard, "Standard", true},
		{PathwayGrandparenting, "Grandparenting", true},
		{"provisional", "Unknown pathway", false},
		{"", "Unknown pathway", false},
	}
	for _, tt := range tests {
		if tt.p.Label() != tt.label || tt.p.Valid() != tt.valid {
			t.Errorf("Pathway(%q): Label %q Valid %v, want %q %v", tt.p, tt.p.Label(), tt.p.Valid(), tt.label, tt.valid)
		}
	}
}

func TestDecision(t *testing.T) {
	long := strings.Repeat("é", MaxReasonLength+1)
	tests := []struct {
		name   string
		d      Decision
		reason string
		target ApplicationStatus
		keys   []string
	}{
		{"approve without reason", DecisionApprove, "", AppApproved, nil},
		{"approve with note", DecisionApprove, "All documents in order.", AppApproved, nil},
		{"deny with reasons", DecisionDeny, "Training is from an unapproved organization.", AppDenied, nil},
		{"deny without reasons", DecisionDeny, "  ", AppDenied, []string{"reason"}},
		{"request info with message", DecisionRequestInfo, "Please upload your certificate.", AppNeedsInformation, nil},
		{"request info without message", DecisionRequestInfo, "", AppNeedsInformation, []string{"reason"}},
		{"reason at limit", DecisionDeny, strings.Repeat("é", MaxReasonLength), AppDenied, nil},
		{"reason too long", DecisionDeny, long, AppDenied, []string{"reason"}},
		{"unknown decision", "maybe", "why not", "", []string{"decision"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Target(); got != tt.target {
				t.Errorf("Target = %q, want %q", got, tt.target)
			}
			checkFieldKeys(t, ValidateDecision(tt.d, tt.reason), tt.keys...)
		})
	}
}

func TestAttestationText(t *testing.T) {
	versionRE := regexp.MustCompile(`^\d{4}-\d{2}$`)
	for _, k := range AllAttestations() {
		t.Run(string(k), func(t *testing.T) {
			v, text := AttestationText(k)
			if !versionRE.MatchString(v) {
				t.Errorf("version %q is not YYYY-MM", v)
			}
			if len(text) < 40 || len(text) > 600 {
				t.Errorf("text has %d bytes; want a short paragraph", len(text))
			}
			if k.Label() == "Unknown attestation" {
				t.Error("no label")
			}
		})
	}
	if v, text := AttestationText("bogus"); v != "" || text != "" {
		t.Errorf("unknown kind gave %q, %q", v, text)
	}
}

func TestLivedExperience(t *testing.T) {
	tests := []struct {
		l             LivedExperience
		valid, family bool
	}{
		{LivedSelf, true, false},
		{LivedFamily, true, true},
		{"", false, false},
		{"friend", false, false},
	}
	for _, tt := range tests {
		if tt.l.Valid() != tt.valid || tt.l.FamilyModifier() != tt.family {
			t.Errorf("%q: Valid %v FamilyModifier %v", tt.l, tt.l.Valid(), tt.l.FamilyModifier())
		}
	}
}

func validDetails() ApplicantDetails {
	return ApplicantDetails{FirstName: "Maria", LastName: "Lopez", Phone: "(860) 555-0100",
		AddressLine: "12 Main St", City: "Hartford", State: "CT", PostalCode: "06106",
		DateOfBirth: dayPtr(1980, 4, 2)}
}

func TestApplicantDetailsValidate(t *testing.T) {
	today := dayUTC(2026, 6, 15)
	tests := []struct {
		name   string
		change func(*ApplicantDetails)
		keys   []string
	}{
		{"valid", func(*ApplicantDetails) {}, nil},
		{"ZIP+4 and lower-case state", func(d *ApplicantDetails) { d.PostalCode, d.State = "06106-1234", " ct " }, nil},
		{"phone with country code", func(d *ApplicantDetails) { d.Phone = "+1 860 555 0100" }, nil},
		{"first name blank", func(d *ApplicantDetails) { d.FirstName = "   " }, []string{"first_name"}},
		{"last name missing", func(d *ApplicantDetails) { d.LastName = "" }, []string{"last_name"}},
		{"name 100 characters", func(d *ApplicantDetails) { d.FirstName = strings.Repeat("ñ", 100) }, nil},
		{"name 101 characters", func(d *ApplicantDetails) { d.FirstName = strings.Repeat("ñ", 101) }, []string{"first_name"}},
		{"name padded to 100", func(d *ApplicantDetails) { d.LastName = "  " + strings.Repeat("x", 100) + " " }, nil},
		{"phone missing", func(d *ApplicantDetails) { d.Phone = "" }, []string{"phone"}},
		{"phone too short", func(d *ApplicantDetails) { d.Phone = "555-0100" }, []string{"phone"}},
		{"phone with letters", func(d *ApplicantDetails) { d.Phone = "860-555-CALL" }, []string{"phone"}},
		{"address missing", func(d *ApplicantDetails) { d.AddressLine = "" }, []string{"address_line"}},
		{"city missing", func(d *ApplicantDetails) { d.City = "" }, []string{"city"}},
		{"state spelled out", func(d *ApplicantDetails) { d.State = "Connecticut" }, []string{"state"}},
		{"state with digit", func(d *ApplicantDetails) { d.State = "C1" }, []string{"state"}},
		{"ZIP four digits", func(d *ApplicantDetails) { d.PostalCode = "6106" }, []string{"postal_code"}},
		{"ZIP+4 without hyphen", func(d *ApplicantDetails) { d.PostalCode = "061061234" }, []string{"postal_code"}},
		{"ZIP with letter", func(d *ApplicantDetails) { d.PostalCode = "0610A" }, []string{"postal_code"}},
		{"no date of birth", func(d *ApplicantDetails) { d.DateOfBirth = nil }, []string{"date_of_birth"}},
		{"18 today", func(d *ApplicantDetails) { d.DateOfBirth = dayPtr(2008, 6, 15) }, nil},
		{"18 tomorrow", func(d *ApplicantDetails) { d.DateOfBirth = dayPtr(2008, 6, 16) }, []string{"date_of_birth"}},
		{"born in the future", func(d *ApplicantDetails) { d.DateOfBirth = dayPtr(2026, 6, 16) }, []string{"date_of_birth"}},
		{"everything missing", func(d *ApplicantDetails) { *d = ApplicantDetails{} },
			[]string{"first_name", "last_name", "phone", "address_line", "city", "state", "postal_code", "date_of_birth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDetails()
			tt.change(&d)
			checkFieldKeys(t, d.Validate(today), tt.keys...)
		})
	}
}

func TestApplicantDetailsNormalized(t *testing.T) {
	d := ApplicantDetails{FirstName: " Maria ", State: " ct", PostalCode: "06106 "}.Normalized()
	if d.FirstName != "Maria" || d.State != "CT" || d.PostalCode != "06106" {
		t.Errorf("Normalized = %+v", d)
	}
}

func TestValidateSubmission(t *testing.T) {
	allSigned := map[AttestationKind]bool{AttestCodeOfEthics: true, AttestLivedExperience: true, AttestReleaseOfInformation: true}
	standard := func() SubmissionInput {
		return SubmissionInput{Details: validDetails(), Pathway: PathwayStandard, LivedExperience: LivedSelf, Signed: allSigned}
	}
	grand := func() SubmissionInput {
		in := standard()
		in.Pathway = PathwayGrandparenting
		in.PriorTrainingKind = PriorTrainingRecoveryCoach
		in.PriorTrainingCompletedOn = dayPtr(2019, 9, 1)
		in.PriorTrainingProvider = "CCAR"
		return in
	}
	open, closed := dayUTC(2026, 6, 15), dayUTC(2026, 10, 2)
	tests := []struct {
		name   string
		in     func() SubmissionInput
		change func(*SubmissionInput, *CredentialType)
		today  time.Time
		keys   []string
	}{
		{"standard complete", standard, nil, open, nil},
		{"standard after grandparenting closed", standard, nil, closed, nil},
		{"standard disabled", standard, func(_ *SubmissionInput, c *CredentialType) { c.StandardEnabled = false }, open, []string{"pathway"}},
		{"type inactive", standard, func(_ *SubmissionInput, c *CredentialType) { c.Active = false }, open, []string{"pathway"}},
		{"no pathway", standard, func(in *SubmissionInput, _ *CredentialType) { in.Pathway = "" }, open, []string{"pathway"}},
		{"no lived experience", standard, func(in *SubmissionInput, _ *CredentialType) { in.LivedExperience = "" }, open, []string{"lived_experience"}},
		{"release not signed", standard, func(in *SubmissionInput, _ *CredentialType) {
			in.Signed = map[AttestationKind]bool{AttestCodeOfEthics: true, AttestLivedExperience: true}
		}, open, []string{"attest_release_of_information"}},
		{"nothing signed", standard, func(in *SubmissionInput, _ *CredentialType) { in.Signed = nil }, open,
			[]string{"attest_code_of_ethics", "attest_lived_experience", "attest_release_of_information"}},
		{"bad details surface", standard, func(in *SubmissionInput, _ *CredentialType) { in.Details.City = "" }, open, []string{"city"}},
		{"grandparenting complete", grand, nil, open, nil},
		{"grandparenting on closing day", grand, nil, dayUTC(2026, 10, 1), nil},
		{"grandparenting closed", grand, nil, closed, []string{"pathway"}},
		{"grandparenting disabled", grand, func(_ *SubmissionInput, c *CredentialType) { c.GrandparentingEnabled = false }, open, []string{"pathway"}},
		{"training on cut-off day", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingCompletedOn = dayPtr(2026, 5, 31) }, open, nil},
		{"training after cut-off", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingCompletedOn = dayPtr(2026, 6, 1) }, open, []string{"prior_training_completed_on"}},
		{"training date missing", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingCompletedOn = nil }, open, []string{"prior_training_completed_on"}},
		{"training kind missing", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingKind = "" }, open, []string{"prior_training_kind"}},
		{"training kind unknown", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingKind = "cpr" }, open, []string{"prior_training_kind"}},
		{"provider missing", grand, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingProvider = " " }, open, []string{"prior_training_provider"}},
		{"standard ignores prior training", standard, func(in *SubmissionInput, _ *CredentialType) { in.PriorTrainingKind = "cpr" }, open, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, in := DefaultCPSRP(), tt.in()
			if tt.change != nil {
				tt.change(&in, &ct)
			}
			checkFieldKeys(t, ValidateSubmission(ct, in, tt.today), tt.keys...)
		})
	}
}
