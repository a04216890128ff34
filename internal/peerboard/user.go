package peerboard

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a signed-in user may do in the portal.
type Role string

// The roles of DOMAIN.md that sign in. Supervisors and the public have no account.
const (
	RoleApplicant Role = "applicant"
	RoleTrainer   Role = "trainer"
	RoleReviewer  Role = "reviewer"
	RoleAdmin     Role = "admin"
)

// Roles lists every role, for forms and validation.
var Roles = []Role{RoleApplicant, RoleTrainer, RoleReviewer, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleApplicant, RoleTrainer, RoleReviewer, RoleAdmin:
		return true
	}
	return false
}

// Label is the role's name as people read it.
func (r Role) Label() string {
	switch r {
	case RoleApplicant:
		return "Applicant"
	case RoleTrainer:
		return "Training organization"
	case RoleReviewer:
		return "Reviewer"
	case RoleAdmin:
		return "Board admin"
	}
	return "Unknown"
}

// User is an account holder. PasswordHash never leaves the server.
type User struct {
	ID             int64
	Email          string
	Name           string
	Role           Role
	OrganizationID *int64
	PasswordHash   string
	CreatedAt      time.Time
	// EmailVerifiedAt is when the holder proved they read mail sent to
	// Email; nil until then. Training and CE recorded for an address attach
	// only to a verified account, so registering someone else's address
	// gains nothing.
	EmailVerifiedAt *time.Time
}

// EmailVerified reports whether u's email address is confirmed.
func (u *User) EmailVerified() bool { return u != nil && u.EmailVerifiedAt != nil }

// IsStaff reports whether u works for the board (reviewer or admin).
func (u *User) IsStaff() bool {
	return u != nil && (u.Role == RoleReviewer || u.Role == RoleAdmin)
}

// Permission predicates: route groups and services ask these, never the role directly.

// CanReview reports whether u may work the board's case queue.
func CanReview(u *User) bool { return u.IsStaff() }

// CanAdminister reports whether u may change the board's configuration and import exam results.
func CanAdminister(u *User) bool { return u != nil && u.Role == RoleAdmin }

// CanTrain reports whether u acts for a training organization.
func CanTrain(u *User) bool {
	return u != nil && u.Role == RoleTrainer && u.OrganizationID != nil
}

// CanApply reports whether u may apply for and hold credentials.
func CanApply(u *User) bool { return u != nil && u.Role == RoleApplicant }

// NormalizeEmail trims and lower-cases an address for comparison and storage.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain address such as name@example.org.
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// Registration is what a person types to create an applicant account.
type Registration struct {
	Name     string
	Email    string
	Password string
	Confirm  string
}

// Validate checks the registration, returning field errors keyed by form field.
func (r *Registration) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Email = NormalizeEmail(r.Email)
	fields := map[string]string{}
	switch {
	case r.Name == "":
		fields["name"] = "Enter your full name."
	case len([]rune(r.Name)) > 200:
		fields["name"] = "Your name must be 200 characters or fewer."
	}
	if r.Email == "" {
		fields["email"] = "Enter your email address."
	} else if !ValidEmail(r.Email) {
		fields["email"] = "Enter an email address like name@example.org."
	}
	if err := ValidatePassword(r.Password, r.Email, r.Name); err != nil {
		fields["password"] = ErrorMessage(err)
	} else if r.Confirm != r.Password {
		fields["confirm"] = "The two passwords do not match."
	}
	if len(fields) > 0 {
		return FieldErrors("Check the highlighted fields.", fields)
	}
	return nil
}

type ctxKey int

const (
	userKey ctxKey = iota
	requestIDKey
)

// NewContextWithUser returns ctx carrying the acting user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFromContext returns the acting user, or nil for an anonymous request.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey).(*User)
	return u
}

// NewContextWithRequestID returns ctx carrying the request id, so audit
// events and logs can be matched.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request id, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
