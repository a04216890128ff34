package peerboard_test

import (
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// The reset mail may reach someone who never registered: it carries the
// link, how long it works, what to do if unasked, and nothing else.
func TestPasswordResetMail(t *testing.T) {
	m := peerboard.PasswordResetMail("ada@example.org", "TOKEN", "https://board.example")
	if m.To != "ada@example.org" || m.Kind != peerboard.MailPasswordReset || m.Subject != "Reset your peerboard password" {
		t.Errorf("mail = %+v", m)
	}
	for _, want := range []string{"https://board.example/reset-password/TOKEN", "one hour", "If you did not ask for this, ignore this message"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	if !strings.HasPrefix(m.Body, "Hello,\n\n") {
		t.Errorf("greeting: %q", m.Body[:20])
	}
	if peerboard.PasswordResetValidity.Hours() != 1 {
		t.Errorf("validity = %v, want one hour", peerboard.PasswordResetValidity)
	}
}
