// Package demo loads the demo data `make run` shows a newcomer: an account
// per role, applications in every state, credential holders at every point
// of the renewal cycle, and the mail all of that sends. Everything goes
// through the repository methods the portal itself uses, with a real actor
// in the context, so the audit trail and the mail are what production
// would write. Seeding twice changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// Password is every demo account's password; demo data is for local use only.
const Password = "peerboard-demo-2026"

// Account is one demo login and what a newcomer sees with it.
type Account struct {
	Role  peerboard.Role
	Email string
	Name  string
	Shows string
}

// Accounts lists the demo logins in the order Seed prints them.
func Accounts() []Account {
	out := make([]Account, 0, len(people))
	for _, p := range people {
		out = append(out, Account{Role: p.role, Email: p.email, Name: p.name(), Shows: p.shows})
	}
	return out
}

// Seed loads the demo data unless it is already there, and returns the
// demo accounts. The demo is dated relative to db.Today(): states that need
// the past (a credential issued two years ago, a grandparenting case decided
// while the window was open) are made with db.Now set back to that day and
// restored afterwards, so every record and audit event says what happened
// on which date, and who did it. The audit events' own timestamps are the
// seeding time, since the database sets them.
func Seed(ctx context.Context, db *postgres.DB) ([]Account, error) {
	switch state, err := loaded(ctx, db); {
	case err != nil:
		return nil, err
	case state == complete:
		return Accounts(), nil
	case state == partial:
		return nil, errors.New("the demo data is only partly loaded (an earlier seed failed): " +
			"start from an empty database (make clean-db) and seed again")
	}
	clock := db.Now
	defer func() { db.Now = clock }()
	s := &seeder{ctx: ctx, db: db, clock: clock, today: db.Today(), users: map[*person]*peerboard.User{}}
	if err := s.run(); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	return Accounts(), nil
}

type loadState int

const (
	absent loadState = iota
	partial
	complete
)

// loaded tells whether the demo is there: the marker account (created last)
// means complete; any other demo account beyond those older seeds made
// means a seed stopped half-way.
func loaded(ctx context.Context, db *postgres.DB) (loadState, error) {
	exists := func(email string) (bool, error) {
		_, err := db.UserByEmail(ctx, email)
		if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			return false, nil
		}
		return err == nil, err
	}
	if ok, err := exists(reviewer2.email); err != nil || ok {
		return complete, err
	}
	for _, p := range people {
		if baseEmails[p.email] {
			continue
		}
		if ok, err := exists(p.email); err != nil || ok {
			return partial, err
		}
	}
	return absent, nil
}

// seeder carries what the demo's steps share.
type seeder struct {
	ctx   context.Context
	db    *postgres.DB
	clock func() time.Time // the real clock, restored when Seed returns
	today time.Time
	typ   *peerboard.CredentialType
	hash  string // of Password
	users map[*person]*peerboard.User
	orgs  map[string]int64 // organization name → id
	// course is the approved 80-hour course; lapsedCourse the lapsed organization's.
	course, lapsedCourse int64
}

// at sets the portal's clock to day (mid-morning in Connecticut), or back
// to the real clock for today and later.
func (s *seeder) at(day time.Time) {
	if !day.Before(s.today) {
		s.db.Now = s.clock
		return
	}
	t := postgres.DateOf(day).Add(15 * time.Hour)
	s.db.Now = func() time.Time { return t }
}

// day returns the date offset days from today (negative: in the past).
func (s *seeder) day(offset int) time.Time { return s.today.AddDate(0, 0, offset) }

// as returns a context acting as p.
func (s *seeder) as(p *person) context.Context {
	return peerboard.NewContextWithUser(s.ctx, s.users[p])
}

func (s *seeder) run() error {
	typ, err := s.db.CredentialTypeByCode(s.ctx, "CPSRP")
	if err != nil {
		return fmt.Errorf("credential type CPSRP: %w", err)
	}
	s.typ = typ
	if err := s.organizations(); err != nil {
		return err
	}
	if err := s.accounts(); err != nil {
		return err
	}
	if err := s.courses(); err != nil {
		return err
	}
	if err := s.applications(); err != nil {
		return err
	}
	if err := s.holders(); err != nil {
		return err
	}
	// Today's daily run, after the past ones in holders(): whatever is due today.
	s.at(s.today)
	if _, err := s.db.RunDaily(s.ctx, s.today); err != nil {
		return fmt.Errorf("daily run: %w", err)
	}
	// Last: the marker that the demo is complete.
	return s.createUser(reviewer2)
}

// organizations makes the approved demo organization (approved from three
// years ago for five years) and one whose approval lapsed two months ago.
func (s *seeder) organizations() error {
	s.orgs = map[string]int64{}
	for name, approvedAsOf := range map[string]time.Time{
		demoOrgName:   s.today,
		lapsedOrgName: s.today.AddDate(-2, 0, -60),
	} {
		id, err := s.db.EnsureDemoOrganization(s.ctx, name, approvedAsOf)
		if err != nil {
			return fmt.Errorf("organization %s: %w", name, err)
		}
		s.orgs[name] = id
	}
	return nil
}

// accounts creates every demo account but the marker, reusing those an
// older seed made. Staff and trainers are created by the admin; applicants
// registered themselves.
func (s *seeder) accounts() error {
	for _, p := range people {
		if p == reviewer2 {
			continue
		}
		if err := s.createUser(p); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) createUser(p *person) error {
	if u, err := s.db.UserByEmail(s.ctx, p.email); err == nil {
		s.users[p] = u
		return nil
	} else if peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
		return err
	}
	if s.hash == "" { // hashing is slow on purpose: once for every account
		h, err := peerboard.HashPassword(Password)
		if err != nil {
			return err
		}
		s.hash = h
	}
	// Demo addresses are made up and vouched for by the seed: every account
	// is confirmed, so the training and CE recorded for it count.
	verified := s.db.Now()
	u := &peerboard.User{Email: p.email, Name: p.name(), Role: p.role, PasswordHash: s.hash, EmailVerifiedAt: &verified}
	if p.org != "" {
		id := s.orgs[p.org]
		u.OrganizationID = &id
	}
	ctx := s.ctx
	if p.role != peerboard.RoleApplicant && s.users[admin] != nil {
		ctx = s.as(admin)
	}
	if err := s.db.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("account %s: %w", p.email, err)
	}
	s.users[p] = u
	return nil
}
