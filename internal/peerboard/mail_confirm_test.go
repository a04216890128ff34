package peerboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// The confirmation mail may reach someone who never registered: it carries
// the link and the expiry, and nothing typed by whoever registered.
func TestConfirmEmailMail(t *testing.T) {
	expires := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	m := peerboard.ConfirmEmailMail("ada@example.org", "TOKEN", expires, "https://board.example")
	if m.To != "ada@example.org" || m.Kind != peerboard.MailConfirmEmail || m.Subject != "Confirm your email address" {
		t.Errorf("mail = %+v", m)
	}
	for _, want := range []string{"https://board.example/confirm-email/TOKEN", "November 30, 2026", "If you did not create this account"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	if !strings.HasPrefix(m.Body, "Hello,\n\n") {
		t.Errorf("greeting: %q", m.Body[:20])
	}
}
