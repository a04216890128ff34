package peerboard

import (
	"fmt"
	"strings"
)

// CredentialStatus is the standing of an issued credential. Discipline is a
// separate fact, shown alongside it.
type CredentialStatus string

// The credential statuses.
const (
	CredActive      CredentialStatus = "active"
	CredInactive    CredentialStatus = "inactive"    // voluntarily not practicing
	CredExpired     CredentialStatus = "expired"     // not renewed by the expiry date
	CredSurrendered CredentialStatus = "surrendered" // voluntarily given up for good
	CredSuspended   CredentialStatus = "suspended"
	CredRevoked     CredentialStatus = "revoked"
)

// AllCredentialStatuses returns every credential status, for filters and
// exhaustive tests.
func AllCredentialStatuses() []CredentialStatus {
	return []CredentialStatus{CredActive, CredInactive, CredExpired, CredSurrendered, CredSuspended, CredRevoked}
}

// Label returns the status as shown to staff and the holder.
func (s CredentialStatus) Label() string {
	switch s {
	case CredActive:
		return "Active"
	case CredInactive:
		return "Inactive"
	case CredExpired:
		return "Expired"
	case CredSurrendered:
		return "Surrendered"
	case CredSuspended:
		return "Suspended"
	case CredRevoked:
		return "Revoked"
	}
	return "Unknown status"
}

// PublicLabel returns the status as the public verification page shows it,
// telling an employer whether the holder may practice.
func (s CredentialStatus) PublicLabel() string {
	switch s {
	case CredActive:
		return "Active"
	case CredInactive:
		return "Inactive: not currently practicing"
	case CredExpired:
		return "Expired: not renewed"
	case CredSurrendered:
		return "Surrendered: no longer held"
	case CredSuspended:
		return "Suspended: may not practice"
	case CredRevoked:
		return "Revoked: may not practice"
	}
	return "Unknown"
}

// Valid reports whether s is a known status.
func (s CredentialStatus) Valid() bool { return s.Label() != "Unknown status" }

// HL7 returns the HL7 professional credential status code for exports. HL7 has
// no suspended or surrendered: both map to inactive, since the credential may
// not be used but was validly issued.
func (s CredentialStatus) HL7() string {
	switch s {
	case CredActive:
		return "active"
	case CredInactive, CredSuspended, CredSurrendered:
		return "inactive"
	case CredExpired:
		return "expired"
	case CredRevoked:
		return "revoked"
	}
	return "unknown"
}

// credentialMover returns who may move a credential from one status to
// another, and false when the move does not exist.
func credentialMover(from, to CredentialStatus) (Actor, bool) {
	switch [2]CredentialStatus{from, to} {
	case [2]CredentialStatus{CredActive, CredInactive},
		[2]CredentialStatus{CredActive, CredSurrendered},
		[2]CredentialStatus{CredInactive, CredActive},
		[2]CredentialStatus{CredInactive, CredSurrendered}:
		return ActorApplicant, true
	case [2]CredentialStatus{CredActive, CredExpired},
		// Inactive is a pause, not an exemption: unrenewed, it lapses too.
		[2]CredentialStatus{CredInactive, CredExpired}:
		return ActorSystem, true
	case [2]CredentialStatus{CredExpired, CredActive},
		[2]CredentialStatus{CredActive, CredSuspended},
		[2]CredentialStatus{CredSuspended, CredActive},
		[2]CredentialStatus{CredActive, CredRevoked},
		[2]CredentialStatus{CredSuspended, CredRevoked},
		[2]CredentialStatus{CredInactive, CredRevoked},
		[2]CredentialStatus{CredExpired, CredRevoked}:
		return ActorStaff, true
	}
	return "", false
}

// CheckCredentialTransition returns an EINVALID *Error unless actor by may
// move a credential from status from to status to. The holder acts as
// ActorApplicant.
func CheckCredentialTransition(from, to CredentialStatus, by Actor) error {
	switch {
	case !from.Valid() || !to.Valid():
		return Errorf(EINVALID, "Unknown credential status")
	case from == CredRevoked || from == CredSurrendered:
		return Errorf(EINVALID, "This credential is %s and cannot be changed", strings.ToLower(from.Label()))
	case from == to:
		return Errorf(EINVALID, "This credential is already %s", strings.ToLower(from.Label()))
	}
	who, ok := credentialMover(from, to)
	if !ok {
		return Errorf(EINVALID, "A credential that is %s cannot become %s", strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	}
	if who != by {
		holder := who.phrase()
		if who == ActorApplicant {
			holder = "the credential holder"
		}
		return Errorf(EINVALID, "Only %s can change a credential from %s to %s", holder, strings.ToLower(from.Label()), strings.ToLower(to.Label()))
	}
	return nil
}

// checkAlphabet is the 36 symbols a credential number is written in; a
// symbol's value is its index.
const checkAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// checkElem is a symbol seen as an element of the additive group of
// GF(4) × GF(9): g is the GF(4) part as two bits (b0 + b1·ω, ω² = ω+1) and
// u + v·i the GF(9) part (i² = −1). Value n maps to g = n/9, u = n%9/3, v = n%3.
//
// The check character is a Damm-style code with x∘y = a·x + y, a = (ω, i).
// Because a and a−1 are both invertible in each field, every single
// substitution and every adjacent transposition changes the result. Neither
// ISO 7064 MOD 37,36 nor Luhn mod 36 has that property (each misses some
// transpositions), which is why this scheme is used.
type checkElem struct{ g, u, v int }

func elemOf(n int) checkElem { return checkElem{g: n / 9, u: n % 9 / 3, v: n % 3} }

func (e checkElem) value() int { return e.g*9 + e.u*3 + e.v }

func (e checkElem) plus(f checkElem) checkElem {
	return checkElem{g: e.g ^ f.g, u: (e.u + f.u) % 3, v: (e.v + f.v) % 3}
}

func (e checkElem) negated() checkElem { return checkElem{g: e.g, u: (3 - e.u) % 3, v: (3 - e.v) % 3} }

// timesA multiplies by a = (ω, i): (b0 + b1ω)ω = b1 + (b0+b1)ω and (u + vi)i = −v + ui.
func (e checkElem) timesA() checkElem {
	b0, b1 := e.g&1, e.g>>1
	return checkElem{g: b1 | (b0^b1)<<1, u: (3 - e.v) % 3, v: e.u}
}

// checkRun folds s (symbols of checkAlphabet only) into its interim check
// value; ok is false for any other character.
func checkRun(s string) (sum checkElem, ok bool) {
	for i := 0; i < len(s); i++ {
		n := strings.IndexByte(checkAlphabet, s[i])
		if n < 0 {
			return sum, false
		}
		sum = sum.timesA().plus(elemOf(n))
	}
	return sum, true
}

// checkChar returns the check character for body, or 0 if body has a
// character outside checkAlphabet.
func checkChar(body string) byte {
	sum, ok := checkRun(body)
	if !ok {
		return 0
	}
	return checkAlphabet[sum.timesA().negated().value()]
}

// checkValid reports whether s ends in the correct check character.
func checkValid(s string) bool {
	sum, ok := checkRun(s)
	return ok && len(s) > 1 && sum == checkElem{}
}

// FormatCredentialNumber returns the credential number for a sequence number,
// e.g. "CPSRP-004217-K": the prefix, the sequence zero-padded to at least six
// digits and a check character over prefix and digits that catches typing
// errors. The prefix must be capital letters and seq positive; anything else
// is a programming error and panics.
func FormatCredentialNumber(prefix string, seq int64) string {
	if prefix == "" || strings.Trim(prefix, checkAlphabet[10:]) != "" || seq <= 0 {
		panic(fmt.Sprintf("peerboard: bad credential number parts %q, %d", prefix, seq))
	}
	digits := fmt.Sprintf("%06d", seq)
	return prefix + "-" + digits + "-" + string(checkChar(prefix+digits))
}

// NormalizeCredentialNumber returns the canonical form of a credential number
// typed by a person (any case, hyphens or spaces optional), or an EINVALID
// error when it is malformed or its check character does not match.
func NormalizeCredentialNumber(s string) (string, error) {
	invalid := Errorf(EINVALID, "That is not a valid credential number")
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	letters := len(s) - len(strings.TrimLeft(s, checkAlphabet[10:]))
	if letters == 0 || len(s) < letters+7 || !checkValid(s) {
		return "", invalid
	}
	prefix, digits, check := s[:letters], s[letters:len(s)-1], s[len(s)-1:]
	if strings.Trim(digits, checkAlphabet[:10]) != "" || len(digits) > 6 && digits[0] == '0' {
		return "", invalid
	}
	return prefix + "-" + digits + "-" + check, nil
}
