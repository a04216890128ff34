package peerboard

import (
	"time"
)

// A credential is valid through its expiry date; it is expired from the next
// day. All functions here compare calendar dates only.

// RenewalWindowOpen reports whether the holder may renew today: from
// RenewalWindowDays before expiry through the end of the grace period.
func RenewalWindowOpen(t CredentialType, expires, today time.Time) bool {
	d := daysFrom(expires, today) // negative before expiry
	return d >= -t.RenewalWindowDays && d <= t.GraceDays
}

// InGrace reports whether the credential has expired but may still be renewed
// late, without a reinstatement application.
func InGrace(t CredentialType, expires, today time.Time) bool {
	d := daysFrom(expires, today)
	return d > 0 && d <= t.GraceDays
}

// NeedsReinstatement reports whether the grace period is over, so the holder
// must apply for reinstatement with the missing CE.
func NeedsReinstatement(t CredentialType, expires, today time.Time) bool {
	return daysFrom(expires, today) > t.GraceDays
}

// RenewedExpiry returns the expiry after a renewal: one cycle after the old
// expiry, not after the renewal date, so renewing early or late does not move
// the cycle.
func RenewedExpiry(t CredentialType, oldExpiry time.Time) time.Time {
	return addMonths(dateOf(oldExpiry), t.CycleMonths)
}

// CycleOf returns the certification cycle that ends on expires: CE dated
// from start through end counts toward renewing it. Cycles do not overlap:
// after a renewal the next cycle starts the day after the old expiry, so an
// activity counts in one cycle only. The first cycle starts on the issue date.
func CycleOf(t CredentialType, issued, expires time.Time) (start, end time.Time) {
	end = dateOf(expires)
	start = addMonths(end, -t.CycleMonths)
	if dateOf(issued).Before(start) {
		start = start.AddDate(0, 0, 1)
	}
	return start, end
}
