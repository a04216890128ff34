// Package reset renders the self-service password reset: asking for a
// link, the answer, the new-password form, and what went wrong with a link.
package reset

import (
	"fmt"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// Forgot is the form that asks for the account's email address.
type Forgot struct {
	Email   string
	Errors  views.Errors
	Message string
}

// Sent is the answer to every well-formed request, whether or not an
// account has the address, so the page reveals nothing about accounts.
type Sent struct {
	Email string
}

// Form is the page a reset link opens: the new password, twice.
type Form struct {
	Token  string
	Email  string
	Errors views.Errors
}

// Action is where the new password is posted.
func (f Form) Action() string { return "/reset-password/" + f.Token }

// PasswordHint states the password rules, the same as registration's.
func (f Form) PasswordHint() string {
	return fmt.Sprintf("At least %d characters, up to %d. Not your email address or name. A few unrelated words make a strong password.",
		peerboard.MinPasswordLength, peerboard.MaxPasswordLength)
}

// Problem is the page for a link that cannot set a password.
type Problem struct {
	Heading string
	Message string
}
