package peerboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TrainingRecord is one completed training course, as posted by the training
// organization or uploaded by the applicant.
type TrainingRecord struct {
	CourseTitle, OrganizationName string
	OrganizationApproved          bool // the organization's approval was in force
	CompletedOn                   time.Time
	TotalHours                    float64
	IncludesEthicsModule          bool
	CompetencyHours               map[Competency]float64
}

// ExamRecord is one exam attempt as reported by the exam vendor.
type ExamRecord struct {
	ExamDate    time.Time
	Passed      bool
	ScaledScore int
}

// ChecklistInput is what the requirement checklist is computed from.
type ChecklistInput struct {
	Type              CredentialType
	Pathway           Pathway
	Signed            map[AttestationKind]bool
	LivedExperience   LivedExperience
	Training          []TrainingRecord
	SupervisedHours   int // confirmed by supervisors
	PriorTrainingKind string
	// PriorTrainingCompletedOn is the date on the prior training certificate
	// (grandparenting pathway).
	PriorTrainingCompletedOn *time.Time
	Exams                    []ExamRecord
	Today                    time.Time
}

// RequirementState is whether a requirement is satisfied.
type RequirementState string

// The requirement states.
const (
	ReqMet     RequirementState = "met"
	ReqMissing RequirementState = "missing"
	ReqLater   RequirementState = "later" // satisfied after approval, e.g. the exam
)

// Requirement is one line of the checklist a reviewer works through.
type Requirement struct {
	Key    string // stable identifier, e.g. "training_hours"
	Label  string
	State  RequirementState
	Detail string // plain sentence explaining the state
}

// Checklist evaluates each requirement of the chosen pathway, in the order a
// reviewer checks them.
func Checklist(in ChecklistInput) []Requirement {
	var reqs []Requirement
	switch in.Pathway {
	case PathwayStandard:
		reqs = standardRequirements(in)
	case PathwayGrandparenting:
		reqs = []Requirement{priorTrainingRequirement(in)}
	default:
		reqs = []Requirement{{Key: "pathway", Label: "Pathway", State: ReqMissing, Detail: "No pathway has been chosen."}}
	}
	return append(reqs, attestationRequirements(in)...)
}

// AllMet reports whether the checklist is non-empty and nothing in it is
// missing; requirements met later (such as the exam) do not block approval.
func AllMet(reqs []Requirement) bool {
	for _, r := range reqs {
		if r.State != ReqMet && r.State != ReqLater {
			return false
		}
	}
	return len(reqs) > 0
}

func standardRequirements(in ChecklistInput) []Requirement {
	t := in.Type
	var (
		hours      float64
		ethics     bool
		ethicsElse bool // an unapproved organization's course had the ethics module
		covered    = map[Competency]float64{}
		ignored    []string
	)
	for _, tr := range in.Training {
		if !tr.OrganizationApproved {
			ignored = append(ignored, fmt.Sprintf("%s from %s (%s hours)", tr.CourseTitle, tr.OrganizationName, formatHours(tr.TotalHours)))
			ethicsElse = ethicsElse || tr.IncludesEthicsModule
			continue
		}
		hours += tr.TotalHours
		ethics = ethics || tr.IncludesEthicsModule
		for c, h := range tr.CompetencyHours {
			covered[c] += h
		}
	}
	note := ""
	if len(ignored) > 0 {
		note = " Not counted because the organization is not approved: " + strings.Join(ignored, "; ") + "."
	}

	var reqs []Requirement
	r := Requirement{Key: "training_hours", Label: fmt.Sprintf("%s hours of approved training", formatHours(t.TrainingHours))}
	if hours+1e-9 >= t.TrainingHours {
		r.State, r.Detail = ReqMet, fmt.Sprintf("%s hours from approved organizations.", formatHours(hours))
	} else {
		r.State, r.Detail = ReqMissing, fmt.Sprintf("%s of %s hours from approved organizations; %s more needed.",
			formatHours(hours), formatHours(t.TrainingHours), formatHours(t.TrainingHours-hours))
	}
	r.Detail += note
	reqs = append(reqs, r)

	if t.RequireAllCompetencies {
		r := Requirement{Key: "competencies", Label: "All 12 core competencies covered"}
		var missing []string
		for _, c := range AllCompetencies() {
			if covered[c] <= 0 {
				missing = append(missing, fmt.Sprintf("%d. %s", c, c))
			}
		}
		if len(missing) == 0 {
			r.State, r.Detail = ReqMet, "Approved training covers all 12 competencies."
		} else {
			r.State, r.Detail = ReqMissing, "Approved training does not cover: "+strings.Join(missing, "; ")+"."
		}
		reqs = append(reqs, r)
	}

	if t.RequireEthicsModule {
		r := Requirement{Key: "ethics_module", Label: "Peer ethics and values module", State: ReqMet,
			Detail: "Included in approved training."}
		if !ethics {
			r.State, r.Detail = ReqMissing, "No approved training includes the ethics module."
			if ethicsElse {
				r.Detail += " A course from an organization that is not approved includes it but does not count."
			}
		}
		reqs = append(reqs, r)
	}

	if t.SupervisedHours > 0 {
		r := Requirement{Key: "supervised_hours", Label: fmt.Sprintf("%d supervised work hours", t.SupervisedHours)}
		if in.SupervisedHours >= t.SupervisedHours {
			r.State, r.Detail = ReqMet, fmt.Sprintf("%d hours confirmed by supervisors.", in.SupervisedHours)
		} else {
			r.State, r.Detail = ReqMissing, fmt.Sprintf("%d of %d hours confirmed by supervisors; %d more needed.",
				in.SupervisedHours, t.SupervisedHours, t.SupervisedHours-in.SupervisedHours)
		}
		reqs = append(reqs, r)
	}

	if t.ExamRequired {
		reqs = append(reqs, examRequirement(in))
	}
	return reqs
}

func examRequirement(in ChecklistInput) Requirement {
	r := Requirement{Key: "exam", Label: "Exam passed"}
	for _, e := range in.Exams {
		if e.Passed {
			r.State, r.Detail = ReqMet, fmt.Sprintf("Passed on %s with a scaled score of %d.", e.ExamDate.Format("January 2, 2006"), e.ScaledScore)
			return r
		}
	}
	switch n := len(in.Exams); {
	case n == 0:
		r.State, r.Detail = ReqLater, "Taken after approval, which makes the applicant eligible to test."
	case in.Type.ExamMaxAttempts > 0 && n >= in.Type.ExamMaxAttempts:
		r.State, r.Detail = ReqMissing, fmt.Sprintf("Not passed; all %d allowed attempts have been used.", in.Type.ExamMaxAttempts)
	default:
		r.State, r.Detail = ReqLater, fmt.Sprintf("Not passed yet after %d %s; a retake is allowed.", n, plural(n, "attempt", "attempts"))
	}
	return r
}

func priorTrainingRequirement(in ChecklistInput) Requirement {
	r := Requirement{Key: "prior_training", Label: "Recovery Support Specialist or Recovery Coach training", State: ReqMissing}
	cutoff := in.Type.GrandparentingTrainingCutoff
	d := in.PriorTrainingCompletedOn
	switch {
	case in.PriorTrainingKind != PriorTrainingRSS && in.PriorTrainingKind != PriorTrainingRecoveryCoach:
		r.Detail = "No Recovery Support Specialist or Recovery Coach training has been given."
	case d == nil:
		r.Detail = "The training certificate has no completion date."
	case cutoff != nil && dateOf(*d).After(dateOf(*cutoff)):
		r.Detail = fmt.Sprintf("Completed on %s, after the cut-off of %s.", d.Format("January 2, 2006"), cutoff.Format("January 2, 2006"))
	case dateOf(*d).After(dateOf(in.Today)):
		r.Detail = fmt.Sprintf("The completion date %s is in the future.", d.Format("January 2, 2006"))
	default:
		kind := "Recovery Support Specialist"
		if in.PriorTrainingKind == PriorTrainingRecoveryCoach {
			kind = "Recovery Coach"
		}
		r.State, r.Detail = ReqMet, fmt.Sprintf("%s training completed on %s; no exam is needed on this pathway.", kind, d.Format("January 2, 2006"))
	}
	return r
}

func attestationRequirements(in ChecklistInput) []Requirement {
	var reqs []Requirement
	for _, k := range AllAttestations() {
		r := Requirement{Key: "attestation_" + string(k), Label: k.Label() + " signed", State: ReqMet, Detail: "Signed."}
		switch {
		case !in.Signed[k]:
			r.State, r.Detail = ReqMissing, "Not signed yet."
		case k == AttestLivedExperience && in.LivedExperience == LivedFamily:
			r.Detail = "Signed, as a family member; the credential carries the F modifier."
		case k == AttestLivedExperience && in.LivedExperience == LivedSelf:
			r.Detail = "Signed, for the applicant's own recovery."
		case k == AttestLivedExperience:
			r.State, r.Detail = ReqMissing, "Signed, but the applicant has not said whose lived experience it is."
		}
		reqs = append(reqs, r)
	}
	return reqs
}

// formatHours writes an hour count without trailing zeros, e.g. "80", "4.5".
func formatHours(h float64) string {
	return strconv.FormatFloat(math.Round(h*100)/100, 'f', -1, 64)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
