package peerboard_test

import (
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func TestValidatePassword(t *testing.T) {
	const email, name = "ada@example.org", "Ada Lovelace"
	tests := []struct {
		name   string
		pw     string
		wantOK bool
	}{
		{"empty", "", false},
		{"seven ascii", "abcdefg", false},
		// Seven emoji are 28 bytes: the rule counts characters, not bytes.
		{"seven emoji", strings.Repeat("🙂", 7), false},
		{"eight emoji", strings.Repeat("🙂", 8), true},
		{"eight ascii", "tqzvkrwp", true},
		{"sixty-four", strings.Repeat("x7", 32), true},
		{"one hundred twenty-eight", strings.Repeat("kq", 64), true},
		{"one hundred twenty-nine", strings.Repeat("kq", 64) + "z", false},
		{"common", "password", false},
		{"common upper case", "PASSWORD", false},
		{"common mixed case", "FootBall", false},
		{"common with digit", "password1", false},
		{"common keyboard walk", "QwertyUiop", false},
		{"email as password", email, false},
		{"email in other case", "ADA@Example.org", false},
		{"name as password", "ada lovelace", false},
		// No composition rules: lower-case letters only, repeated, is fine when long.
		{"long passphrase without digits or symbols", "aaaaaaaaaaaabbbb", true},
		{"spaces allowed", "correct horse battery staple", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := peerboard.ValidatePassword(tt.pw, email, name)
			if (err == nil) != tt.wantOK {
				t.Fatalf("ValidatePassword(%q) = %v, want ok=%v", tt.pw, err, tt.wantOK)
			}
			if err != nil {
				if code := peerboard.ErrorCode(err); code != peerboard.EINVALID {
					t.Errorf("code = %q, want %q", code, peerboard.EINVALID)
				}
				if peerboard.ErrorMessage(err) == "" {
					t.Error("refusal has no message for the user")
				}
			}
		})
	}
}

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	hash, err := peerboard.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", hash)
	}
	if strings.Contains(hash, pw) {
		t.Fatal("hash contains the password")
	}
	again, err := peerboard.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Error("two hashes of one password are equal: no salt")
	}

	// bcrypt ignores everything after byte 72; argon2id must not.
	long := strings.Repeat("a", 100)
	longHash, err := peerboard.HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pw   string
		hash string
		want bool
	}{
		{"right password", pw, hash, true},
		{"right password, second hash", pw, again, true},
		{"wrong password", "correct horse battery stapler", hash, false},
		{"empty password", "", hash, false},
		{"different case", strings.ToUpper(pw), hash, false},
		{"100 bytes, same", long, longHash, true},
		{"100 bytes, differs after byte 72", strings.Repeat("a", 80) + strings.Repeat("b", 20), longHash, false},
		{"100 bytes, last byte differs", strings.Repeat("a", 99) + "b", longHash, false},
		{"truncated to 72 bytes", long[:72], longHash, false},
		{"malformed hash", pw, "$argon2id$nonsense", false},
		{"empty hash", pw, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := peerboard.CheckPassword(tt.pw, tt.hash); got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckPasswordAgainstNothing(t *testing.T) {
	// It must only spend time, never panic, whatever it is given.
	peerboard.CheckPasswordAgainstNothing("")
	peerboard.CheckPasswordAgainstNothing(strings.Repeat("x", 200))
}
