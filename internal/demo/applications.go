package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// courses creates the approved organization's 80-hour course covering all
// twelve competencies with the ethics module, and a 40-hour course of the
// lapsed organization that covers half of them.
func (s *seeder) courses() error {
	core := &peerboard.Course{Code: "CPSRP-CORE", Title: "CPSRP Core Curriculum (80 hours)", TotalHours: 80,
		IncludesEthicsModule: true, CompetencyHours: map[peerboard.Competency]float64{
			peerboard.CompEngages: 8, peerboard.CompProvidesSupport: 7, peerboard.CompSharesLived: 8,
			peerboard.CompPersonalizes: 6, peerboard.CompRecoveryPlanning: 7, peerboard.CompLinksResources: 6,
			peerboard.CompInformation: 7, peerboard.CompCrises: 7, peerboard.CompCommunication: 6,
			peerboard.CompCollaboration: 6, peerboard.CompLeadership: 6, peerboard.CompGrowth: 6,
		}}
	lapsed := &peerboard.Course{Code: "RCF-40", Title: "Recovery Coach Foundations (40 hours)", TotalHours: 40,
		CompetencyHours: map[peerboard.Competency]float64{
			peerboard.CompEngages: 8, peerboard.CompProvidesSupport: 8, peerboard.CompSharesLived: 6,
			peerboard.CompLinksResources: 6, peerboard.CompCrises: 6, peerboard.CompCommunication: 6,
		}}
	var err error
	if s.course, err = s.ensureCourse(trainer, core); err != nil {
		return err
	}
	s.lapsedCourse, err = s.ensureCourse(lapsedTrainer, lapsed)
	return err
}

// ensureCourse creates c for the trainer's organization, or finds it by code.
func (s *seeder) ensureCourse(by *person, c *peerboard.Course) (int64, error) {
	org := s.orgs[by.org]
	existing, err := s.db.CoursesOfOrganization(s.ctx, org, false)
	if err != nil {
		return 0, err
	}
	for _, e := range existing {
		if e.Code == c.Code {
			return e.ID, nil
		}
	}
	if err := s.db.CreateCourse(s.as(by), org, c); err != nil {
		return 0, fmt.Errorf("course %s: %w", c.Code, err)
	}
	return c.ID, nil
}

// complete records, as the trainer on day recorded, that p finished the
// trainer's course on day finished.
func (s *seeder) complete(by, p *person, finished, recorded time.Time) error {
	course := s.course
	if by == lapsedTrainer {
		course = s.lapsedCourse
	}
	s.at(recorded)
	err := s.db.RecordCompletion(s.as(by), s.orgs[by.org], &peerboard.Completion{
		CourseID: course, PersonEmail: p.email, PersonName: p.name(), CompletedOn: finished})
	if err != nil {
		return fmt.Errorf("completion of %s: %w", p.email, err)
	}
	return nil
}

// draftInput is everything p answers on the pathway, all attestations signed.
func (s *seeder) draftInput(p *person, pathway peerboard.Pathway, priorTraining time.Time) postgres.DraftInput {
	in := postgres.DraftInput{Details: p.details(), LivedExperience: p.livedExperience(),
		SupervisedHours: p.supervisedHours, Signed: map[peerboard.AttestationKind]bool{}}
	for _, k := range peerboard.AllAttestations() {
		in.Signed[k] = true
	}
	if pathway == peerboard.PathwayGrandparenting {
		in.PriorTrainingKind = peerboard.PriorTrainingRSS
		in.PriorTrainingCompletedOn = &priorTraining
		in.PriorTrainingProvider = "Recovery Coach Academy of New England"
	}
	return in
}

// apply creates p's CPSRP application on day and submits it complete.
func (s *seeder) apply(p *person, pathway peerboard.Pathway, day time.Time) (*peerboard.Application, error) {
	return s.applyWith(p, pathway, day, time.Time{})
}

func (s *seeder) applyWith(p *person, pathway peerboard.Pathway, day, priorTraining time.Time) (*peerboard.Application, error) {
	s.at(day)
	ctx := s.as(p)
	a, err := s.db.CreateApplication(ctx, s.users[p].ID, s.typ.ID, pathway)
	if err != nil {
		return nil, fmt.Errorf("application of %s: %w", p.email, err)
	}
	in := s.draftInput(p, pathway, priorTraining)
	if a, err = s.db.SubmitApplication(ctx, a.ID, a.Version, &in); err != nil {
		return nil, fmt.Errorf("submit application of %s: %w", p.email, err)
	}
	return a, nil
}

// decide records the staff member's decision on day.
func (s *seeder) decide(by *person, a *peerboard.Application, day time.Time, d peerboard.Decision, reason string) (*postgres.DecisionOutcome, error) {
	s.at(day)
	out, err := s.db.DecideApplication(s.as(by), a.ID, a.Version, d, reason)
	if err != nil {
		return nil, fmt.Errorf("%s application of %s: %w", d, a.ApplicantEmail, err)
	}
	*a = *out.Application
	return out, nil
}

// approvedStandard takes p through training, application and approval:
// trained 90 days before applying, approved approveAfter days after it.
func (s *seeder) approvedStandard(p *person, applied time.Time, approveAfter int, by *person) (*postgres.DecisionOutcome, error) {
	if err := s.complete(trainer, p, applied.AddDate(0, 0, -90), applied.AddDate(0, 0, -88)); err != nil {
		return nil, err
	}
	a, err := s.apply(p, peerboard.PathwayStandard, applied)
	if err != nil {
		return nil, err
	}
	return s.decide(by, a, applied.AddDate(0, 0, approveAfter), peerboard.DecisionApprove, "")
}

// examRow is one line of a vendor's results file.
type examRow struct {
	candidate string
	date      time.Time
	score     int
	result    peerboard.ExamOutcome
}

// importExams imports a vendor results file, as the admin, on day; every
// row must be new and valid.
func (s *seeder) importExams(day time.Time, rows ...examRow) (*peerboard.ExamImportReport, error) {
	var b strings.Builder
	b.WriteString("candidate_id,exam_date,exam_form,scaled_score,result\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,CPSRP-%d-A,%d,%s\n", r.candidate, r.date.Format(time.DateOnly), r.date.Year(), r.score, r.result)
	}
	s.at(day)
	name := fmt.Sprintf("prometric-cpsrp-%s.csv", day.Format(time.DateOnly))
	rep, err := s.db.ImportExamResults(s.as(admin), name, []byte(b.String()))
	switch {
	case err != nil:
		return nil, err
	case len(rep.Errors) > 0:
		return nil, fmt.Errorf("exam results %s: line %d: %s", name, rep.Errors[0].Line, rep.Errors[0].Reason)
	case rep.NewResults != len(rows):
		return nil, fmt.Errorf("exam results %s: %d new results of %d rows", name, rep.NewResults, len(rows))
	}
	return rep, nil
}

// applications puts an applicant in every application status the portal
// can reach. Abandoned is not reachable yet: no code moves a case whose
// information deadline passed to abandoned.
func (s *seeder) applications() error {
	d := s.day

	// Draft: the demo applicant started one three days ago; the core course is recorded.
	if err := s.complete(trainer, applicant, d(-25), d(-20)); err != nil {
		return err
	}
	s.at(d(-3))
	ctx := s.as(applicant)
	a, err := s.db.CreateApplication(ctx, s.users[applicant].ID, s.typ.ID, peerboard.PathwayStandard)
	switch {
	case peerboard.ErrorCode(err) == peerboard.ECONFLICT:
		// An older demo left an open application: keep it.
	case err != nil:
		return fmt.Errorf("draft of %s: %w", applicant.email, err)
	default:
		det := applicant.details()
		det.DateOfBirth = nil // left for later, like the attestations
		in := postgres.DraftInput{Details: det, LivedExperience: peerboard.LivedSelf, SupervisedHours: applicant.supervisedHours}
		if _, err := s.db.SaveDraft(ctx, a.ID, a.Version, in); err != nil {
			return fmt.Errorf("save draft of %s: %w", applicant.email, err)
		}
	}

	// Submitted, with only a 40-hour course, recorded by Nutmeg while it was
	// still approved: half the competencies and hours are missing.
	if err := s.complete(lapsedTrainer, submitted, d(-95), d(-90)); err != nil {
		return err
	}
	if _, err := s.apply(submitted, peerboard.PathwayStandard, d(-4)); err != nil {
		return err
	}

	// Under review by the demo reviewer.
	if err := s.complete(trainer, underReview, d(-70), d(-68)); err != nil {
		return err
	}
	if a, err = s.apply(underReview, peerboard.PathwayStandard, d(-11)); err != nil {
		return err
	}
	s.at(d(-2))
	if _, err := s.db.StartReview(s.as(reviewer), a.ID, a.Version); err != nil {
		return fmt.Errorf("start review: %w", err)
	}

	// Needs information: too few supervised hours.
	if err := s.complete(trainer, needsInfo, d(-60), d(-58)); err != nil {
		return err
	}
	if a, err = s.apply(needsInfo, peerboard.PathwayStandard, d(-15)); err != nil {
		return err
	}
	if _, err := s.decide(reviewer, a, d(-5), peerboard.DecisionRequestInfo,
		"Your application lists 220 supervised work hours; the standard pathway needs 300. "+
			"If you have worked more supervised hours since you applied, please give the corrected total and "+
			"ask your supervisor to confirm it. Otherwise you may withdraw and apply again once you reach 300 hours."); err != nil {
		return err
	}

	// Resubmitted: asked for information, answered with corrected hours.
	if err := s.complete(trainer, resubmitted, d(-120), d(-118)); err != nil {
		return err
	}
	if a, err = s.apply(resubmitted, peerboard.PathwayStandard, d(-30)); err != nil {
		return err
	}
	if _, err := s.decide(reviewer, a, d(-21), peerboard.DecisionRequestInfo,
		"Your supervisor's letter confirms more hours than the 260 on your application. Please update your "+
			"supervised work hours to the confirmed total."); err != nil {
		return err
	}
	s.at(d(-8))
	hours := 312
	if _, err := s.db.RespondToRequest(s.as(resubmitted), a.ID, a.Version,
		"My supervisor at the Bridgeport Recovery Community Center confirmed 312 hours; I have corrected the total.", &hours); err != nil {
		return fmt.Errorf("respond to request: %w", err)
	}

	// Approved on the standard pathway: eligible to test, no result yet.
	if _, err := s.approvedStandard(eligible, d(-20), 13, admin); err != nil {
		return err
	}

	// Approved on the grandparenting pathway while the window was open.
	if err := s.grandparenting(); err != nil {
		return err
	}

	// Denied with reasons.
	if a, err = s.apply(denied, peerboard.PathwayStandard, d(-40)); err != nil {
		return err
	}
	if _, err := s.decide(reviewer, a, d(-12), peerboard.DecisionDeny,
		"Your application does not meet two requirements of the standard pathway. "+
			"1. No training from a board-approved organization is on record; the standard pathway needs 80 hours "+
			"covering all twelve competencies, including the Peer Ethics & Values module. "+
			"2. Your supervisor confirmed 120 supervised work hours; 300 are required. "+
			"You may appeal within the appeal period, or apply again once both are met."); err != nil {
		return err
	}

	// Withdrawn by the applicant.
	if a, err = s.apply(withdrawn, peerboard.PathwayStandard, d(-35)); err != nil {
		return err
	}
	s.at(d(-22))
	if _, err := s.db.WithdrawApplication(s.as(withdrawn), a.ID, a.Version); err != nil {
		return fmt.Errorf("withdraw: %w", err)
	}

	// The exam: one pass that issues a credential and one fail, in one vendor file.
	pass, err := s.approvedStandard(examPassed, d(-80), 20, reviewer)
	if err != nil {
		return err
	}
	fail, err := s.approvedStandard(examFailed, d(-75), 25, admin)
	if err != nil {
		return err
	}
	_, err = s.importExams(d(-2),
		examRow{pass.Exam.CandidateID, d(-9), 78, peerboard.ExamPass},
		examRow{fail.Exam.CandidateID, d(-9), 61, peerboard.ExamFail})
	return err
}

// grandparenting approves a grandparenting case three weeks before the
// window closed (or three weeks ago if it is still open), with training
// finished well before the cut-off: the credential is issued without the exam.
func (s *seeder) grandparenting() error {
	if !s.typ.GrandparentingEnabled {
		return nil // the board turned the pathway off: nothing to show
	}
	decided := s.day(-21)
	if u := s.typ.GrandparentingApplyUntil; u != nil && u.Before(decided) {
		decided = postgres.DateOf(*u).AddDate(0, 0, -21)
	}
	applied := decided.AddDate(0, 0, -14)
	trained := applied
	if c := s.typ.GrandparentingTrainingCutoff; c != nil && c.Before(trained) {
		trained = postgres.DateOf(*c)
	}
	trained = trained.AddDate(-1, -2, 0)
	a, err := s.applyWith(grandparented, peerboard.PathwayGrandparenting, applied, trained)
	if err != nil {
		return err
	}
	_, err = s.decide(reviewer, a, decided, peerboard.DecisionApprove,
		"Recovery Support Specialist certificate verified with the provider.")
	return err
}
