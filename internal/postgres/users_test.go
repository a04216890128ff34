package postgres_test

import (
	"context"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

func TestCreateUser(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	u := &peerboard.User{Email: "Ada@Example.org", Name: "Ada", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := db.UserByEmail(ctx, "ADA@example.ORG")
	if err != nil {
		t.Fatalf("UserByEmail: %v", err)
	}
	if got.ID != u.ID || got.Email != "ada@example.org" || got.Role != peerboard.RoleApplicant {
		t.Errorf("got %+v, want id %d, lower-cased email, applicant", got, u.ID)
	}

	dup := &peerboard.User{Email: "ada@example.org", Name: "Other", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	err = db.CreateUser(ctx, dup)
	if peerboard.ErrorCode(err) != peerboard.EINVALID || peerboard.ErrorFields(err)["email"] == "" {
		t.Errorf("duplicate email: got %v, want a field error on email", err)
	}

	if _, err := db.UserByID(ctx, 999999); peerboard.ErrorCode(err) != peerboard.ENOTFOUND {
		t.Errorf("unknown id: got %v, want not found", err)
	}
}

func TestTrainerNeedsOrganization(t *testing.T) {
	db := pgtest.New(t)
	u := &peerboard.User{Email: "t@example.org", Name: "T", Role: peerboard.RoleTrainer, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), u); err == nil {
		t.Fatal("a trainer without an organization was stored")
	}
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	u := &peerboard.User{Email: "a@example.org", Name: "A", Role: peerboard.RoleApplicant, PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	trail, err := db.AuditTrail(ctx, "user", u.ID)
	if err != nil || len(trail) != 1 || trail[0].Action != "user.created" {
		t.Fatalf("trail = %+v, %v; want one user.created event", trail, err)
	}
	for _, stmt := range []string{
		`UPDATE audit_events SET reason = 'x'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		if _, err := db.Pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s succeeded on the append-only table", stmt)
		}
	}
}
