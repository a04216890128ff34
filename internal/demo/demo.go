// Package demo loads the demo data `make run` shows a newcomer: one account
// per role and cases in every state. Seeding twice changes nothing.
package demo

import (
	"context"
	"fmt"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// Password is every demo account's password; demo data is for local use only.
const Password = "peerboard-demo-2026"

// Account is one demo login.
type Account struct {
	Role  peerboard.Role
	Email string
}

// Seed creates the demo data unless it is already there.
func Seed(ctx context.Context, db *postgres.DB) ([]Account, error) {
	hash, err := peerboard.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	orgID, err := db.EnsureDemoOrganization(ctx, "Connecticut Recovery Training Collaborative", db.Today())
	if err != nil {
		return nil, fmt.Errorf("demo organization: %w", err)
	}
	accounts := []struct {
		role  peerboard.Role
		email string
		name  string
		org   *int64
	}{
		{peerboard.RoleAdmin, "admin@peerboard.test", "Avery Admin", nil},
		{peerboard.RoleReviewer, "reviewer@peerboard.test", "Riley Reviewer", nil},
		{peerboard.RoleTrainer, "trainer@peerboard.test", "Taylor Trainer", &orgID},
		{peerboard.RoleApplicant, "applicant@peerboard.test", "Alex Applicant", nil},
	}
	var out []Account
	for _, a := range accounts {
		if _, err := db.UserByEmail(ctx, a.email); peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			u := &peerboard.User{Email: a.email, Name: a.name, Role: a.role, OrganizationID: a.org, PasswordHash: hash}
			if err := db.CreateUser(ctx, u); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", a.email, err)
			}
		} else if err != nil {
			return nil, err
		}
		out = append(out, Account{a.role, a.email})
	}
	return out, nil
}
