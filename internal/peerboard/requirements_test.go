package peerboard

import (
	"strings"
	"testing"
)

func allCompetencyHours(h float64) map[Competency]float64 {
	m := map[Competency]float64{}
	for _, c := range AllCompetencies() {
		m[c] = h
	}
	return m
}

func completeStandard() ChecklistInput {
	return ChecklistInput{
		Type:            DefaultCPSRP(),
		Pathway:         PathwayStandard,
		Signed:          map[AttestationKind]bool{AttestCodeOfEthics: true, AttestLivedExperience: true, AttestReleaseOfInformation: true},
		LivedExperience: LivedSelf,
		Training: []TrainingRecord{{CourseTitle: "CPSRP Core", OrganizationName: "Peer Academy", OrganizationApproved: true,
			CompletedOn: dayUTC(2026, 3, 1), TotalHours: 80, IncludesEthicsModule: true, CompetencyHours: allCompetencyHours(6)}},
		SupervisedHours: 300,
		Today:           dayUTC(2026, 6, 15),
	}
}

func completeGrandparenting() ChecklistInput {
	in := completeStandard()
	in.Pathway, in.Training, in.SupervisedHours = PathwayGrandparenting, nil, 0
	in.PriorTrainingKind, in.PriorTrainingCompletedOn = PriorTrainingRSS, dayPtr(2018, 4, 1)
	return in
}

func TestChecklist(t *testing.T) {
	type want struct {
		state  RequirementState
		detail string // substring of Detail; "" to skip
	}
	tests := []struct {
		name   string
		base   func() ChecklistInput
		change func(*ChecklistInput)
		allMet bool
		want   map[string]want
	}{
		{"standard complete, exam later", completeStandard, nil, true, map[string]want{
			"training_hours": {ReqMet, "80 hours"}, "competencies": {ReqMet, ""}, "ethics_module": {ReqMet, ""},
			"supervised_hours": {ReqMet, "300 hours"}, "exam": {ReqLater, "after approval"},
			"attestation_code_of_ethics": {ReqMet, ""}, "attestation_lived_experience": {ReqMet, "own recovery"},
			"attestation_release_of_information": {ReqMet, ""},
		}},
		{"training split across two approved courses", completeStandard, func(in *ChecklistInput) {
			in.Training[0].TotalHours = 50
			in.Training = append(in.Training, TrainingRecord{CourseTitle: "Part 2", OrganizationName: "Peer Academy", OrganizationApproved: true, TotalHours: 30})
		}, true, map[string]want{"training_hours": {ReqMet, "80 hours"}}},
		{"short on training hours", completeStandard, func(in *ChecklistInput) { in.Training[0].TotalHours = 64.5 }, false,
			map[string]want{"training_hours": {ReqMissing, "64.5 of 80 hours from approved organizations; 15.5 more needed."}}},
		{"unapproved organization ignored", completeStandard, func(in *ChecklistInput) {
			in.Training[0].TotalHours = 60
			in.Training = append(in.Training, TrainingRecord{CourseTitle: "Weekend Intensive", OrganizationName: "Fly-by-Night Training",
				TotalHours: 40, IncludesEthicsModule: true, CompetencyHours: allCompetencyHours(3)})
		}, false, map[string]want{
			"training_hours": {ReqMissing, "Not counted because the organization is not approved: Weekend Intensive from Fly-by-Night Training (40 hours)."},
			"competencies":   {ReqMet, ""},
		}},
		{"ethics only in unapproved course", completeStandard, func(in *ChecklistInput) {
			in.Training[0].IncludesEthicsModule = false
			in.Training = append(in.Training, TrainingRecord{CourseTitle: "Ethics", OrganizationName: "Unapproved Org", TotalHours: 6, IncludesEthicsModule: true})
		}, false, map[string]want{"ethics_module": {ReqMissing, "not approved includes it but does not count"}}},
		{"missing ethics module", completeStandard, func(in *ChecklistInput) { in.Training[0].IncludesEthicsModule = false }, false,
			map[string]want{"ethics_module": {ReqMissing, "No approved training includes the ethics module."}}},
		{"ethics module not required", completeStandard, func(in *ChecklistInput) {
			in.Training[0].IncludesEthicsModule, in.Type.RequireEthicsModule = false, false
		}, true, map[string]want{"ethics_module": {"", ""}}},
		{"two competencies uncovered", completeStandard, func(in *ChecklistInput) {
			delete(in.Training[0].CompetencyHours, CompSharesLived)
			in.Training[0].CompetencyHours[CompCrises] = 0
		}, false, map[string]want{"competencies": {ReqMissing,
			"does not cover: 3. Shares lived experiences of recovery; 8. Helps peers to manage crises."}}},
		{"competency covered only by unapproved course", completeStandard, func(in *ChecklistInput) {
			delete(in.Training[0].CompetencyHours, CompGrowth)
			in.Training = append(in.Training, TrainingRecord{OrganizationName: "X", TotalHours: 2, CompetencyHours: map[Competency]float64{CompGrowth: 2}})
		}, false, map[string]want{"competencies": {ReqMissing, "12. Promotes growth and development"}}},
		{"competencies not required", completeStandard, func(in *ChecklistInput) {
			in.Training[0].CompetencyHours, in.Type.RequireAllCompetencies = nil, false
		}, true, map[string]want{"competencies": {"", ""}}},
		{"short on supervised hours", completeStandard, func(in *ChecklistInput) { in.SupervisedHours = 120 }, false,
			map[string]want{"supervised_hours": {ReqMissing, "120 of 300 hours confirmed by supervisors; 180 more needed."}}},
		{"exam passed after a fail", completeStandard, func(in *ChecklistInput) {
			in.Exams = []ExamRecord{{ExamDate: dayUTC(2026, 4, 1), ScaledScore: 61}, {ExamDate: dayUTC(2026, 5, 6), Passed: true, ScaledScore: 78}}
		}, true, map[string]want{"exam": {ReqMet, "Passed on May 6, 2026 with a scaled score of 78."}}},
		{"exam failed once", completeStandard, func(in *ChecklistInput) { in.Exams = []ExamRecord{{ExamDate: dayUTC(2026, 4, 1)}} }, true,
			map[string]want{"exam": {ReqLater, "after 1 attempt"}}},
		{"exam attempts used up", completeStandard, func(in *ChecklistInput) { in.Exams = make([]ExamRecord, 3) }, false,
			map[string]want{"exam": {ReqMissing, "all 3 allowed attempts"}}},
		{"exam not required", completeStandard, func(in *ChecklistInput) { in.Type.ExamRequired = false }, true,
			map[string]want{"exam": {"", ""}}},
		{"family lived experience", completeStandard, func(in *ChecklistInput) { in.LivedExperience = LivedFamily }, true,
			map[string]want{"attestation_lived_experience": {ReqMet, "F modifier"}}},
		{"lived experience kind not given", completeStandard, func(in *ChecklistInput) { in.LivedExperience = "" }, false,
			map[string]want{"attestation_lived_experience": {ReqMissing, ""}}},
		{"release not signed", completeStandard, func(in *ChecklistInput) { in.Signed[AttestReleaseOfInformation] = false }, false,
			map[string]want{"attestation_release_of_information": {ReqMissing, "Not signed"}}},
		{"grandparenting complete", completeGrandparenting, nil, true, map[string]want{
			"prior_training": {ReqMet, "no exam"}, "exam": {"", ""}, "training_hours": {"", ""}, "supervised_hours": {"", ""},
			"attestation_code_of_ethics": {ReqMet, ""},
		}},
		{"grandparenting training on cut-off day", completeGrandparenting, func(in *ChecklistInput) { in.PriorTrainingCompletedOn = dayPtr(2026, 5, 31) }, true,
			map[string]want{"prior_training": {ReqMet, ""}}},
		{"grandparenting training after cut-off", completeGrandparenting, func(in *ChecklistInput) { in.PriorTrainingCompletedOn = dayPtr(2026, 6, 1) }, false,
			map[string]want{"prior_training": {ReqMissing, "after the cut-off of May 31, 2026"}}},
		{"grandparenting training in the future", completeGrandparenting, func(in *ChecklistInput) {
			in.Type.GrandparentingTrainingCutoff, in.PriorTrainingCompletedOn = nil, dayPtr(2026, 7, 1)
		}, false, map[string]want{"prior_training": {ReqMissing, "in the future"}}},
		{"grandparenting without prior training", completeGrandparenting, func(in *ChecklistInput) { in.PriorTrainingKind = "" }, false,
			map[string]want{"prior_training": {ReqMissing, ""}}},
		{"grandparenting without date", completeGrandparenting, func(in *ChecklistInput) { in.PriorTrainingCompletedOn = nil }, false,
			map[string]want{"prior_training": {ReqMissing, "no completion date"}}},
		{"no pathway", completeStandard, func(in *ChecklistInput) { in.Pathway = "" }, false,
			map[string]want{"pathway": {ReqMissing, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.base()
			if tt.change != nil {
				tt.change(&in)
			}
			reqs := Checklist(in)
			byKey := map[string]Requirement{}
			for _, r := range reqs {
				if _, dup := byKey[r.Key]; dup {
					t.Errorf("duplicate key %q", r.Key)
				}
				if r.Label == "" || r.Detail == "" {
					t.Errorf("%s: empty label or detail: %+v", r.Key, r)
				}
				byKey[r.Key] = r
			}
			for key, w := range tt.want {
				r, ok := byKey[key]
				if w.state == "" {
					if ok {
						t.Errorf("%s should not be on the checklist: %+v", key, r)
					}
					continue
				}
				if !ok {
					t.Errorf("%s missing from checklist", key)
					continue
				}
				if r.State != w.state {
					t.Errorf("%s state = %q, want %q (%s)", key, r.State, w.state, r.Detail)
				}
				if !strings.Contains(r.Detail, w.detail) {
					t.Errorf("%s detail = %q, want it to contain %q", key, r.Detail, w.detail)
				}
			}
			if got := AllMet(reqs); got != tt.allMet {
				t.Errorf("AllMet = %v, want %v", got, tt.allMet)
			}
		})
	}
}

func TestAllMet(t *testing.T) {
	tests := []struct {
		name string
		reqs []Requirement
		want bool
	}{
		{"empty", nil, false},
		{"all met", []Requirement{{State: ReqMet}, {State: ReqMet}}, true},
		{"later ignored", []Requirement{{State: ReqMet}, {State: ReqLater}}, true},
		{"one missing", []Requirement{{State: ReqMet}, {State: ReqMissing}, {State: ReqLater}}, false},
		{"unknown state", []Requirement{{State: "maybe"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AllMet(tt.reqs); got != tt.want {
				t.Errorf("AllMet = %v, want %v", got, tt.want)
			}
		})
	}
}
