package demo

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// proofPDF is the smallest file the upload sniffer accepts as a PDF.
const proofPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// certify takes p through the standard pathway so that the exam import on
// issued gives them a credential expiring one cycle later.
func (s *seeder) certify(p *person, issued time.Time) (*postgres.HeldCredential, error) {
	out, err := s.approvedStandard(p, issued.AddDate(0, 0, -60), 15, reviewer)
	if err != nil {
		return nil, err
	}
	if _, err := s.importExams(issued, examRow{out.Exam.CandidateID, issued.AddDate(0, 0, -7), 70 + len(p.last), peerboard.ExamPass}); err != nil {
		return nil, err
	}
	cs, err := s.db.CredentialsOfUser(s.ctx, s.users[p].ID)
	if err != nil || len(cs) == 0 {
		return nil, fmt.Errorf("credential of %s not issued: %v", p.email, err)
	}
	return s.db.HolderCredential(s.as(p), cs[0].ID)
}

// certifyExpiring issues p's credential so that it expires about
// daysToExpiry days from today (negative: already past).
func (s *seeder) certifyExpiring(p *person, daysToExpiry int) (*postgres.HeldCredential, error) {
	return s.certify(p, s.day(daysToExpiry).AddDate(0, -s.typ.CycleMonths, 0))
}

// ceItem is one CE activity, dated daysAgo days before today.
type ceItem struct {
	daysAgo  int
	title    string
	provider string // for self-reported activities; verified ones name the posting organization
	hours    float64
	category peerboard.CECategory
	verified bool // posted by the approved organization rather than logged by the holder
}

// logCE records the items for the holder of h, each a day (self-reported)
// or two (posted by the trainer) after it happened. It returns the ids of
// the self-reported activities.
func (s *seeder) logCE(p *person, h *postgres.HeldCredential, items ...ceItem) ([]int64, error) {
	start, end := peerboard.CycleOf(*s.typ, h.IssuedOn, h.ExpiresOn)
	var self []int64
	for _, it := range items {
		date := s.day(-it.daysAgo)
		if it.verified {
			s.at(date.AddDate(0, 0, 2))
			_, err := s.db.PostCE(s.as(trainer), s.orgs[demoOrgName], cefile.Row{Email: p.email, Name: p.name(),
				Title: it.title, Date: date, Hours: it.hours, Category: it.category})
			if err != nil {
				return nil, fmt.Errorf("post CE %q for %s: %w", it.title, p.email, err)
			}
			continue
		}
		s.at(date.AddDate(0, 0, 1))
		rec, err := s.db.LogCEActivity(s.as(p), &peerboard.CEActivity{Title: it.title, Provider: it.provider,
			Date: date, Hours: it.hours, Category: it.category}, start, end, nil)
		if err != nil {
			return nil, fmt.Errorf("log CE %q for %s: %w", it.title, p.email, err)
		}
		self = append(self, rec.ID)
	}
	return self, nil
}

// Verified CE the demo organization offers, reused across holders.
var (
	ethicsCE     = ceItem{title: "Ethics and Boundaries in Peer Support", hours: 3, category: peerboard.CEEthics, verified: true}
	cultureCE    = ceItem{title: "Cultural Humility in Recovery Services", hours: 4, category: peerboard.CECulturalResponsiveness, verified: true}
	traumaCE     = ceItem{title: "Trauma-Informed Peer Support", hours: 3, category: peerboard.CECulturalResponsiveness, verified: true}
	cooccurCE    = ceItem{title: "Co-occurring Disorders: Peer Perspectives", hours: 6, category: peerboard.CECoreCompetencies, verified: true}
	motivational = "Motivational Interviewing for Peer Specialists" // the roster's workshop
)

func ago(days int, it ceItem) ceItem { it.daysAgo = days; return it }

// event is something that happens to the holders on a given day.
type event struct {
	day int // offset from today
	do  func() error
}

// holders creates the credential holders of issue 5: every point of the
// renewal cycle and the CE behind each. Then the recent past plays out in
// date order: the daily job runs now and then (reminders, expiry, the grace
// flag, each on the day it would have happened), a holder goes Inactive, an
// admin records a reprimand, a holder renews and is audited, a roster is
// posted. Seed's final daily run, today, comes after.
func (s *seeder) holders() error {
	held := map[*person]*postgres.HeldCredential{}
	certify := func(p *person, daysToExpiry int, items ...ceItem) ([]int64, error) {
		h, err := s.certifyExpiring(p, daysToExpiry)
		if err != nil {
			return nil, err
		}
		held[p] = h
		return s.logCE(p, h, items...)
	}
	// In the renewal window (45 days left), CE partly done.
	if _, err := certify(holder, 45, ago(160, traumaCE), ceItem{daysAgo: 90, title: "Self-Disclosure with Purpose (webinar)",
		provider: "Naugatuck Valley Recovery Network", hours: 1.5, category: peerboard.CEEthics}); err != nil {
		return err
	}
	// CE fully done; the window opens later.
	if _, err := certify(holderComplete, 200, ago(240, ethicsCE), ago(300, cultureCE),
		ceItem{daysAgo: 120, title: "Naloxone Training and Overdose Response", provider: "Bridgeport Health Department",
			hours: 2, category: peerboard.CEOther},
		ceItem{daysAgo: 60, title: "Supervision Skills for Peer Leaders", provider: "Fairfield County Peer Network",
			hours: 5.5, category: peerboard.CEProfessionalDevelop}); err != nil {
		return err
	}
	// Enough CE to renew; renews below and is audited.
	auditItems, err := certify(holderAudit, 30, ago(240, ethicsCE), ago(300, cultureCE), ago(150, cooccurCE),
		ceItem{daysAgo: 200, title: "Connecticut Recovery Month Conference", provider: "Connecticut Peer Workforce Alliance",
			hours: 6, category: peerboard.CEProfessionalDevelop},
		ceItem{daysAgo: 100, title: "Mindfulness-Based Relapse Prevention Workshop", provider: "Middletown Wellness Collective",
			hours: 2, category: peerboard.CEOther})
	if err != nil {
		return err
	}
	// Expires three weeks before today, so in grace; CE short.
	if _, err := certify(holderExpired, -20, ago(240, ethicsCE),
		ceItem{daysAgo: 400, title: "Peer Support Documentation Basics", provider: "Waterbury Recovery Hub",
			hours: 3, category: peerboard.CEProfessionalDevelop},
		ceItem{daysAgo: 300, title: "Harm Reduction 101", provider: "Waterbury Recovery Hub",
			hours: 2.5, category: peerboard.CEOther}); err != nil {
		return err
	}
	// Expires well before today: past grace, reinstatement required.
	if _, err := certify(holderLapsed, -(s.typ.GraceDays + 40), ceItem{daysAgo: s.typ.GraceDays + 400, title: "Recovery Coach Refresher",
		provider: "Eastern Connecticut Recovery Alliance", hours: 4, category: peerboard.CECoreCompetencies}); err != nil {
		return err
	}
	// Goes Inactive below.
	if _, err := certify(holderInactive, 380, ceItem{daysAgo: 200, title: "Peer Support in Primary Care Settings",
		provider: "Stamford Community Health", hours: 2, category: peerboard.CECoreCompetencies}); err != nil {
		return err
	}
	// Reprimanded below.
	if _, err := certify(holderReprimand, 500, ago(90, ethicsCE)); err != nil {
		return err
	}

	daily := func() error { _, err := s.db.RunDaily(s.ctx, s.db.Today()); return err }
	events := []event{
		{-100, daily}, {-70, daily},
		{-40, func() error {
			err := s.db.AddDisciplineAction(s.as(admin), held[holderReprimand].ID, peerboard.DisciplineAction{
				Action: "reprimand", EffectiveOn: s.db.Today(),
				PublicSummary: "Reprimand for failing to keep professional boundaries with a peer (Code of Ethics, boundaries). " +
					"Completed the required ethics course."})
			return err
		}},
		{-40, daily},
		{-30, func() error {
			h := held[holderInactive]
			_, err := s.db.ChangeCredentialStatus(s.as(holderInactive), h.ID, h.Version, peerboard.CredInactive)
			return err
		}},
		{-25, daily}, {-19, daily}, {-10, daily},
		{-6, func() error { return s.auditedRenewal(held[holderAudit], auditItems) }},
		{-1, s.roster},
	}
	for _, e := range events {
		s.at(s.day(e.day))
		if err := e.do(); err != nil {
			return fmt.Errorf("holders, %d days ago: %w", -e.day, err)
		}
	}
	return nil
}

// auditedRenewal: a holder with enough CE renews inside the window, is
// picked for the CE audit and, two days later, uploads proof of each
// self-reported activity; the reviewer has yet to rule on them.
func (s *seeder) auditedRenewal(h *postgres.HeldCredential, selfReported []int64) error {
	ctx := s.as(holderAudit)
	signed := map[peerboard.AttestationKind]bool{}
	for _, k := range peerboard.RenewalAttestations() {
		signed[k] = true
	}
	// Zero bytes draw 0, which is below any audit percent above zero.
	r, err := s.db.SubmitRenewal(ctx, h.ID, signed, bytes.NewReader(make([]byte, 64)))
	if err != nil {
		return fmt.Errorf("renewal of %s: %w", holderAudit.email, err)
	}
	if !r.AuditSelected {
		return nil // the board set the audit share to zero
	}
	s.at(s.db.Today().AddDate(0, 0, 2))
	for i, id := range selfReported {
		name := fmt.Sprintf("certificate-%d.pdf", i+1)
		if _, err := s.db.UploadProof(ctx, r.ID, id, name, []byte(proofPDF)); err != nil {
			return fmt.Errorf("proof %s: %w", name, err)
		}
	}
	return nil
}

// roster posts yesterday's workshop for several holders, and for one person
// without an account yet, as one roster CSV.
func (s *seeder) roster() error {
	date := s.day(-5).Format(time.DateOnly)
	var b strings.Builder
	b.WriteString("email,name,title,date,hours,category\n")
	for _, p := range []*person{holder, holderComplete, holderReprimand} {
		fmt.Fprintf(&b, "%s,%s,%s,%s,6,core_competencies\n", p.email, p.name(), motivational, date)
	}
	fmt.Fprintf(&b, "tyler.brooks@peerboard.test,Tyler Brooks,%s,%s,6,core_competencies\n", motivational, date)
	s.at(s.day(-1))
	rep, err := s.db.ImportCERoster(s.as(trainer), s.orgs[demoOrgName], "mi-workshop-roster.csv", []byte(b.String()))
	switch {
	case err != nil:
		return err
	case len(rep.Errors) > 0:
		return fmt.Errorf("CE roster: line %d: %s", rep.Errors[0].Line, rep.Errors[0].Reason)
	}
	return nil
}
