package peerboard_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func TestValidEmail(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"name@example.org", true},
		{"first.last+tag@sub.example.co.uk", true},
		{"", false},
		{"a@b", false},
		{"no-at-sign.example.org", false},
		{"@example.org", false},
		{"name@", false},
		{"name@localhost", false},
		{"Ada <ada@example.org>", false},
		{" name@example.org", false},
		{"name@example.org\nBcc: x@example.org", false},
		{"two@@example.org", false},
		{strings.Repeat("a", 250) + "@example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := peerboard.ValidEmail(tt.in); got != tt.want {
				t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := peerboard.NormalizeEmail("  Ada@Example.ORG \n"); got != "ada@example.org" {
		t.Errorf("NormalizeEmail = %q", got)
	}
}

func TestRegistrationValidate(t *testing.T) {
	const pw = "correct horse battery staple"
	valid := peerboard.Registration{Name: "Ada Lovelace", Email: "ada@example.org", Password: pw, Confirm: pw}
	tests := []struct {
		name       string
		edit       func(*peerboard.Registration)
		wantFields []string // the fields with an error, sorted; nil means valid
	}{
		{"valid", func(*peerboard.Registration) {}, nil},
		{"everything missing", func(r *peerboard.Registration) { *r = peerboard.Registration{} }, []string{"email", "name", "password"}},
		{"blank name", func(r *peerboard.Registration) { r.Name = "   " }, []string{"name"}},
		{"name too long", func(r *peerboard.Registration) { r.Name = strings.Repeat("é", 201) }, []string{"name"}},
		{"name of 200 characters", func(r *peerboard.Registration) { r.Name = strings.Repeat("é", 200) }, nil},
		{"bad email", func(r *peerboard.Registration) { r.Email = "ada@" }, []string{"email"}},
		{"short password", func(r *peerboard.Registration) { r.Password, r.Confirm = "short", "short" }, []string{"password"}},
		{"common password", func(r *peerboard.Registration) { r.Password, r.Confirm = "Password1", "Password1" }, []string{"password"}},
		{"email as password", func(r *peerboard.Registration) { r.Password, r.Confirm = "ADA@example.org", "ADA@example.org" }, []string{"password"}},
		{"confirmation differs", func(r *peerboard.Registration) { r.Confirm = pw + "!" }, []string{"confirm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.edit(&r)
			err := r.Validate()
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if code := peerboard.ErrorCode(err); code != peerboard.EINVALID {
				t.Fatalf("Validate() code = %q (%v), want %q", code, err, peerboard.EINVALID)
			}
			fields := peerboard.ErrorFields(err)
			got := slices.Sorted(maps.Keys(fields))
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("fields with errors = %v, want %v (%v)", got, tt.wantFields, fields)
			}
			for k, msg := range fields {
				if msg == "" {
					t.Errorf("field %q has an empty message", k)
				}
			}
		})
	}
}

func TestRegistrationValidateNormalizes(t *testing.T) {
	const pw = "correct horse battery staple"
	r := peerboard.Registration{Name: "  Ada Lovelace ", Email: " Ada@Example.org ", Password: pw, Confirm: pw}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Name != "Ada Lovelace" || r.Email != "ada@example.org" {
		t.Errorf("after Validate: name %q, email %q", r.Name, r.Email)
	}
}

func TestPermissionPredicates(t *testing.T) {
	org := int64(7)
	users := map[string]*peerboard.User{
		"nil":                 nil,
		"applicant":           {Role: peerboard.RoleApplicant},
		"trainer":             {Role: peerboard.RoleTrainer, OrganizationID: &org},
		"trainer without org": {Role: peerboard.RoleTrainer},
		"reviewer":            {Role: peerboard.RoleReviewer},
		"admin":               {Role: peerboard.RoleAdmin},
		"unknown role":        {Role: peerboard.Role("superuser")},
	}
	// want lists, per predicate, the users it allows; everyone else is refused.
	preds := []struct {
		name  string
		fn    func(*peerboard.User) bool
		allow []string
	}{
		{"CanReview", peerboard.CanReview, []string{"reviewer", "admin"}},
		{"CanAdminister", peerboard.CanAdminister, []string{"admin"}},
		{"CanTrain", peerboard.CanTrain, []string{"trainer"}},
		{"CanApply", peerboard.CanApply, []string{"applicant"}},
		{"IsStaff", (*peerboard.User).IsStaff, []string{"reviewer", "admin"}},
	}
	for _, p := range preds {
		for who, u := range users {
			t.Run(p.name+"/"+who, func(t *testing.T) {
				want := slices.Contains(p.allow, who)
				if got := p.fn(u); got != want {
					t.Errorf("%s(%s) = %v, want %v", p.name, who, got, want)
				}
			})
		}
	}
}

func TestRoleValid(t *testing.T) {
	for _, r := range peerboard.Roles {
		if !r.Valid() {
			t.Errorf("%q is not valid", r)
		}
		if r.Label() == "Unknown" {
			t.Errorf("%q has no label", r)
		}
	}
	for _, r := range []peerboard.Role{"", "Admin", "superuser"} {
		if r.Valid() {
			t.Errorf("%q is valid", r)
		}
	}
}
