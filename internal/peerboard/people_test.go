package peerboard

import (
	"strings"
	"testing"
	"time"
)

func TestDisciplineActionValidate(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	before := day.AddDate(0, 0, -1)
	same := day
	tests := []struct {
		name  string
		d     DisciplineAction
		field string // "" when valid
	}{
		{"valid", DisciplineAction{Action: "reprimand", PublicSummary: " Reprimand. ", EffectiveOn: day}, ""},
		{"ends the same day", DisciplineAction{Action: "probation", PublicSummary: "s", EffectiveOn: day, EndsOn: &same}, ""},
		{"500 characters", DisciplineAction{Action: "reprimand", PublicSummary: strings.Repeat("é", 500), EffectiveOn: day}, ""},
		{"501 characters", DisciplineAction{Action: "reprimand", PublicSummary: strings.Repeat("é", 501), EffectiveOn: day}, "public_summary"},
		{"blank summary", DisciplineAction{Action: "reprimand", PublicSummary: " \n ", EffectiveOn: day}, "public_summary"},
		{"unknown action", DisciplineAction{Action: "dismissed", PublicSummary: "s", EffectiveOn: day}, "action"},
		{"no effective date", DisciplineAction{Action: "reprimand", PublicSummary: "s"}, "effective_on"},
		{"ends before", DisciplineAction{Action: "suspension", PublicSummary: "s", EffectiveOn: day, EndsOn: &before}, "ends_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				if tt.d.PublicSummary != strings.TrimSpace(tt.d.PublicSummary) {
					t.Error("summary not trimmed")
				}
				return
			}
			if ErrorFields(err)[tt.field] == "" {
				t.Errorf("Validate = %v, want an error on %s", err, tt.field)
			}
		})
	}
}

func TestDisciplineStatus(t *testing.T) {
	for _, a := range DisciplineActions {
		to, ok := DisciplineStatus(a)
		want := map[string]CredentialStatus{DisciplineSuspension: CredSuspended, DisciplineRevocation: CredRevoked}[a]
		if to != want || ok != (want != "") {
			t.Errorf("%s: %q, %v; want %q", a, to, ok, want)
		}
		if DisciplineLabel(a) == "Unknown action" {
			t.Errorf("%s has no label", a)
		}
		// Every status a discipline action imposes is one staff may set from active.
		if ok && CheckCredentialTransition(CredActive, to, ActorStaff) != nil {
			t.Errorf("%s: staff cannot move active to %s", a, to)
		}
	}
}

func TestCheckRoleChange(t *testing.T) {
	admin := &User{ID: 1, Role: RoleAdmin}
	other := &User{ID: 2, Role: RoleApplicant}
	org := int64(7)
	tests := []struct {
		name   string
		target *User
		role   Role
		org    *int64
		field  string
	}{
		{"promote another", other, RoleReviewer, nil, ""},
		{"trainer with organization", other, RoleTrainer, &org, ""},
		{"keep own admin role", admin, RoleAdmin, nil, ""},
		{"demote self", admin, RoleReviewer, nil, "role"},
		{"self to applicant", admin, RoleApplicant, nil, "role"},
		{"trainer without organization", other, RoleTrainer, nil, "organization_id"},
		{"unknown role", other, Role("owner"), nil, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRoleChange(admin, tt.target, tt.role, tt.org)
			if tt.field == "" && err != nil || tt.field != "" && ErrorFields(err)[tt.field] == "" {
				t.Errorf("CheckRoleChange = %v, want error on %q", err, tt.field)
			}
		})
	}
}

func TestStaffAccountValidate(t *testing.T) {
	org := int64(7)
	good := StaffAccount{Name: " Tess ", Email: " Tess@Harbor.Example ", Role: RoleTrainer, OrganizationID: &org,
		Password: "lantern orchard velvet"}
	a := good
	if err := a.Validate(); err != nil || a.Name != "Tess" || a.Email != "tess@harbor.example" {
		t.Fatalf("Validate = %v, %+v", err, a)
	}
	r := good
	r.Role = RoleReviewer
	if err := r.Validate(); err != nil || r.OrganizationID != nil {
		t.Errorf("reviewer: %v, organization %v; want none kept", err, r.OrganizationID)
	}
	tests := []struct {
		name  string
		edit  func(*StaffAccount)
		field string
	}{
		{"applicant", func(a *StaffAccount) { a.Role = RoleApplicant }, "role"},
		{"no organization", func(a *StaffAccount) { a.OrganizationID = nil }, "organization_id"},
		{"short password", func(a *StaffAccount) { a.Password = "short" }, "password"},
		{"password is the email", func(a *StaffAccount) { a.Password = "tess@harbor.example" }, "password"},
		{"no name", func(a *StaffAccount) { a.Name = "  " }, "name"},
		{"bad email", func(a *StaffAccount) { a.Email = "tess" }, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.edit(&a)
			if err := a.Validate(); ErrorFields(err)[tt.field] == "" {
				t.Errorf("Validate = %v, want an error on %s", err, tt.field)
			}
		})
	}
}
