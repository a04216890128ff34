package server

import "testing"

func TestLoggedPathHidesConfirmationTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/confirm-email/3q2-secret-token": "/confirm-email/[token]",
		"/confirm-email/resend":           "/confirm-email/resend",
		"/reset-password/another-secret":  "/reset-password/[token]",
		"/verify/CPSRP-000001-K":          "/verify/CPSRP-000001-K",
		"/":                               "/",
	} {
		if got := loggedPath(in); got != want {
			t.Errorf("loggedPath(%q) = %q, want %q", in, got, want)
		}
	}
}
