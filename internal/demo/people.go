package demo

import (
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// person is one demo account with the Connecticut details its
// applications carry.
type person struct {
	email, first, last string
	role               peerboard.Role
	org                string // for trainers: demoOrgName or lapsedOrgName
	shows              string
	// Applicant details; staff leave them empty.
	phone, street, city, zip string
	born                     string // YYYY-MM-DD
	family                   bool   // lived experience as a family member: the "F" modifier
	supervisedHours          int
}

func (p *person) name() string { return p.first + " " + p.last }

const (
	demoOrgName   = "Connecticut Recovery Training Collaborative"
	lapsedOrgName = "Nutmeg Peer Academy"
)

// The demo accounts. The order is the order Seed prints them in; the
// marker account is created last, so its presence means the demo is complete.
var (
	admin = &person{email: "admin@peerboard.test", first: "Patricia", last: "Donnelly", role: peerboard.RoleAdmin,
		shows: "Board admin: exam imports (one with a pass and a fail), discipline, the mail catcher at /admin/mail, audit trails"}
	reviewer = &person{email: "reviewer@peerboard.test", first: "Michael", last: "Torres", role: peerboard.RoleReviewer,
		shows: "Reviewer: the queue with cases in every state and a renewal under CE audit with proof to review"}
	trainer = &person{email: "trainer@peerboard.test", first: "Ellen", last: "Fitzgerald", role: peerboard.RoleTrainer, org: demoOrgName,
		shows: "Trainer of the approved " + demoOrgName + ": the 80-hour core course, completions, CE posted one by one and by roster"}
	lapsedTrainer = &person{email: "trainer.lapsed@peerboard.test", first: "Dana", last: "Kowalski", role: peerboard.RoleTrainer, org: lapsedOrgName,
		shows: "Trainer of " + lapsedOrgName + ", whose approval lapsed: it can no longer record completions or post CE"}
	applicant = &person{email: "applicant@peerboard.test", first: "Alex", last: "Morgan", role: peerboard.RoleApplicant,
		shows: "Applicant with a CPSRP draft (standard pathway) and the core course already recorded",
		phone: "860-555-0101", street: "214 Park Street", city: "Hartford", zip: "06106", born: "1991-04-17", supervisedHours: 120}

	holder = &person{email: "holder@peerboard.test", first: "Jordan", last: "Rivera", role: peerboard.RoleApplicant,
		shows: "Holder: Active credential in its renewal window, CE partly done (10.5 of 20 hours), 90- and 60-day reminders in the mail",
		phone: "203-555-0102", street: "88 Chapel Street", city: "New Haven", zip: "06511", born: "1985-09-02", supervisedHours: 340}
	holderComplete = &person{email: "maria.santos@peerboard.test", first: "Maria", last: "Santos", role: peerboard.RoleApplicant,
		shows: "Holder: Active, CE fully done (20.5 hours, 3 of ethics), renewal window not open yet",
		phone: "203-555-0103", street: "1450 Fairfield Avenue", city: "Bridgeport", zip: "06605", born: "1979-12-11", supervisedHours: 410}
	holderAudit = &person{email: "devon.clarke@peerboard.test", first: "Devon", last: "Clarke", role: peerboard.RoleApplicant,
		shows: "Holder: renewal selected for a CE audit, proof uploaded for each self-reported activity, awaiting review",
		phone: "860-555-0104", street: "37 Washington Street", city: "Middletown", zip: "06457", born: "1982-06-25", supervisedHours: 300}
	holderExpired = &person{email: "keisha.brown@peerboard.test", first: "Keisha", last: "Brown", role: peerboard.RoleApplicant,
		shows: "Holder: Expired three weeks ago, still in the grace period for a late renewal; CE short",
		phone: "203-555-0105", street: "610 East Main Street", city: "Waterbury", zip: "06702", born: "1976-03-08", supervisedHours: 320}
	holderLapsed = &person{email: "marcus.thompson@peerboard.test", first: "Marcus", last: "Thompson", role: peerboard.RoleApplicant,
		shows: "Holder: Expired past the grace period: reinstatement required",
		phone: "860-555-0106", street: "19 Broadway", city: "Norwich", zip: "06360", born: "1969-11-30", supervisedHours: 360}
	holderInactive = &person{email: "priya.patel@peerboard.test", first: "Priya", last: "Patel", role: peerboard.RoleApplicant,
		shows: "Holder: made her credential Inactive herself (can reactivate before expiry)",
		phone: "203-555-0107", street: "275 Summer Street", city: "Stamford", zip: "06901", born: "1988-01-19", supervisedHours: 305}
	holderReprimand = &person{email: "samuel.okafor@peerboard.test", first: "Samuel", last: "Okafor", role: peerboard.RoleApplicant,
		shows: "Holder: Active with a public reprimand shown on /verify",
		phone: "860-555-0108", street: "142 State Street", city: "New London", zip: "06320", born: "1983-07-14", supervisedHours: 315}

	grandparented = &person{email: "linda.nguyen@peerboard.test", first: "Linda", last: "Nguyen", role: peerboard.RoleApplicant,
		shows: "Grandparenting application approved while the window was open: credential with the \"F\" (family) modifier",
		phone: "860-555-0109", street: "55 Main Street", city: "Manchester", zip: "06040", born: "1972-05-03", family: true}
	examPassed = &person{email: "andre.wilson@peerboard.test", first: "Andre", last: "Wilson", role: peerboard.RoleApplicant,
		shows: "Standard applicant who passed the exam: credential issued by the exam import two days ago",
		phone: "203-555-0110", street: "301 Main Street", city: "Danbury", zip: "06810", born: "1990-10-21", supervisedHours: 330}
	examFailed = &person{email: "rachel.kim@peerboard.test", first: "Rachel", last: "Kim", role: peerboard.RoleApplicant,
		shows: "Approved standard applicant who failed the exam once; retake allowed after the waiting period",
		phone: "203-555-0111", street: "12 Colony Street", city: "Meriden", zip: "06451", born: "1994-02-27", supervisedHours: 310}
	eligible = &person{email: "grace.sullivan@peerboard.test", first: "Grace", last: "Sullivan", role: peerboard.RoleApplicant,
		shows: "Approved standard applicant, eligible to test: exam authorization, no result yet",
		phone: "860-555-0112", street: "90 Water Street", city: "Torrington", zip: "06790", born: "1987-08-09", supervisedHours: 302}
	submitted = &person{email: "benjamin.carter@peerboard.test", first: "Benjamin", last: "Carter", role: peerboard.RoleApplicant,
		shows: "Submitted application; his only training, a 40-hour course, leaves hours and competencies missing on the checklist",
		phone: "860-555-0113", street: "48 Church Street", city: "Willimantic", zip: "06226", born: "1993-12-01", supervisedHours: 300}
	underReview = &person{email: "olivia.bennett@peerboard.test", first: "Olivia", last: "Bennett", role: peerboard.RoleApplicant,
		shows: "Application under review, assigned to the demo reviewer",
		phone: "860-555-0114", street: "700 Burnside Avenue", city: "East Hartford", zip: "06108", born: "1986-04-04", supervisedHours: 318}
	needsInfo = &person{email: "hannah.lee@peerboard.test", first: "Hannah", last: "Lee", role: peerboard.RoleApplicant,
		shows: "Application that needs information: the board's message and a deadline to answer",
		phone: "203-555-0115", street: "225 Campbell Avenue", city: "West Haven", zip: "06516", born: "1992-09-16", supervisedHours: 220}
	resubmitted = &person{email: "carlos.mendez@peerboard.test", first: "Carlos", last: "Mendez", role: peerboard.RoleApplicant,
		shows: "Resubmitted application: answered the board's request with corrected supervised hours",
		phone: "203-555-0116", street: "960 Main Street", city: "Bridgeport", zip: "06604", born: "1980-01-28", supervisedHours: 260}
	denied = &person{email: "derek.foster@peerboard.test", first: "Derek", last: "Foster", role: peerboard.RoleApplicant,
		shows: "Denied application with written reasons and an open appeal window",
		phone: "860-555-0117", street: "66 North Main Street", city: "Bristol", zip: "06010", born: "1977-06-12", supervisedHours: 120}
	withdrawn = &person{email: "emily.walsh@peerboard.test", first: "Emily", last: "Walsh", role: peerboard.RoleApplicant,
		shows: "Withdrew her application; she may start a new one",
		phone: "860-555-0118", street: "820 Enfield Street", city: "Enfield", zip: "06082", born: "1995-03-22", supervisedHours: 150}

	// reviewer2 is created last: its account marks a complete demo.
	reviewer2 = &person{email: "reviewer2@peerboard.test", first: "Aisha", last: "Johnson", role: peerboard.RoleReviewer,
		shows: "A second reviewer, to try two reviewers deciding the same case"}
)

// people lists every demo account in the order Seed prints them.
var people = []*person{admin, reviewer, reviewer2, trainer, lapsedTrainer, applicant,
	holder, holderComplete, holderAudit, holderExpired, holderLapsed, holderInactive, holderReprimand,
	grandparented, examPassed, examFailed, eligible, submitted, underReview, needsInfo, resubmitted, denied, withdrawn}

// baseEmails are the accounts earlier versions of the seed created; their
// presence alone does not mean the demo is loaded.
var baseEmails = map[string]bool{admin.email: true, reviewer.email: true, trainer.email: true, applicant.email: true}

// details returns the person's application details.
func (p *person) details() peerboard.ApplicantDetails {
	born, err := time.Parse(time.DateOnly, p.born)
	if err != nil {
		panic("demo: bad date of birth for " + p.email) // the table above is code, not input
	}
	return peerboard.ApplicantDetails{FirstName: p.first, LastName: p.last, Phone: p.phone, AddressLine: p.street,
		City: p.city, State: "CT", PostalCode: p.zip, DateOfBirth: &born}
}

func (p *person) livedExperience() peerboard.LivedExperience {
	if p.family {
		return peerboard.LivedFamily
	}
	return peerboard.LivedSelf
}
