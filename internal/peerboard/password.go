package peerboard

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Password limits per OWASP ASVS 5.0: at least 8 characters, long
// passphrases allowed, nothing truncated, no composition rules.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// commonPasswordList holds, lower-cased, the passwords of 8 or more
// characters among the 100,000 most common of OWASP SecLists (vendored by
// web/_ui/vendor.sh).
//
//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 40000)
	for _, p := range strings.Split(commonPasswordList, "\n") {
		if p != "" {
			m[p] = struct{}{}
		}
	}
	return m
})

// ValidatePassword applies the password rules; email and name are refused as passwords.
func ValidatePassword(pw, email, name string) error {
	n := utf8.RuneCountInString(pw)
	lower := strings.ToLower(pw)
	_, common := commonPasswords()[lower]
	switch {
	case n < MinPasswordLength:
		return Errorf(EINVALID, "Use at least %d characters.", MinPasswordLength)
	case n > MaxPasswordLength:
		return Errorf(EINVALID, "Use %d characters or fewer.", MaxPasswordLength)
	case common:
		return Errorf(EINVALID, "That password is too common. Choose another; a few unrelated words work well.")
	case lower == strings.ToLower(email) || (name != "" && lower == strings.ToLower(name)):
		return Errorf(EINVALID, "Do not use your email address or name as your password.")
	}
	return nil
}

// argonParams follow RFC 9106's second recommended option, sized for a
// login endpoint that is also rate limited.
var argonParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	return argon2id.CreateHash(pw, argonParams)
}

// CheckPassword reports whether pw matches hash, in constant time.
func CheckPassword(pw, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// dummyHash lets a login for an unknown email cost as much as a real one,
// so response times do not reveal which addresses have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("peerboard-timing-equaliser")
	return h
})

// CheckPasswordAgainstNothing spends the time a real comparison would.
func CheckPasswordAgainstNothing(pw string) { CheckPassword(pw, dummyHash()) }
