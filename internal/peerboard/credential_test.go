package peerboard

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckCredentialTransition(t *testing.T) {
	// Written out independently of the implementation; every other
	// (from, to, actor) triple must be refused.
	allowed := map[string]Actor{
		"active->inactive":      ActorApplicant,
		"active->surrendered":   ActorApplicant,
		"inactive->active":      ActorApplicant,
		"inactive->surrendered": ActorApplicant,
		"active->expired":       ActorSystem,
		"inactive->expired":     ActorSystem,
		"expired->active":       ActorStaff,
		"active->suspended":     ActorStaff,
		"suspended->active":     ActorStaff,
		"active->revoked":       ActorStaff,
		"suspended->revoked":    ActorStaff,
		"inactive->revoked":     ActorStaff,
		"expired->revoked":      ActorStaff,
	}
	statuses := AllCredentialStatuses()
	if len(statuses) != 6 {
		t.Fatalf("AllCredentialStatuses has %d statuses, want 6", len(statuses))
	}
	seen := 0
	for _, from := range statuses {
		for _, to := range statuses {
			for _, by := range []Actor{ActorApplicant, ActorStaff, ActorSystem} {
				move := fmt.Sprintf("%s->%s", from, to)
				who, ok := allowed[move]
				want := ok && who == by
				if want {
					seen++
				}
				t.Run(move+" by "+string(by), func(t *testing.T) {
					err := CheckCredentialTransition(from, to, by)
					if want && err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !want && (ErrorCode(err) != EINVALID || ErrorMessage(err) == "") {
						t.Fatalf("got %v, want an EINVALID error", err)
					}
				})
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("only %d of %d allowed moves were exercised", seen, len(allowed))
	}
}

func TestCredentialTransitionMessages(t *testing.T) {
	tests := []struct {
		from, to CredentialStatus
		by       Actor
		want     string
	}{
		{CredRevoked, CredActive, ActorStaff, "This credential is revoked and cannot be changed"},
		{CredSurrendered, CredActive, ActorApplicant, "This credential is surrendered and cannot be changed"},
		{CredActive, CredActive, ActorStaff, "This credential is already active"},
		{CredExpired, CredInactive, ActorApplicant, "A credential that is expired cannot become inactive"},
		{CredExpired, CredActive, ActorApplicant, "Only board staff can change a credential from expired to active"},
		{CredActive, CredInactive, ActorStaff, "Only the credential holder can change a credential from active to inactive"},
		{CredActive, "lapsed", ActorSystem, "Unknown credential status"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s->%s by %s", tt.from, tt.to, tt.by), func(t *testing.T) {
			if got := ErrorMessage(CheckCredentialTransition(tt.from, tt.to, tt.by)); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCredentialStatusTable(t *testing.T) {
	hl7 := map[string]bool{"active": true, "inactive": true, "issued-in-error": true, "expired": true,
		"revoked": true, "pending": true, "provisional": true, "unknown": true}
	tests := []struct {
		s            CredentialStatus
		label, hl7   string
		publicPrefix string
	}{
		{CredActive, "Active", "active", "Active"},
		{CredInactive, "Inactive", "inactive", "Inactive"},
		{CredExpired, "Expired", "expired", "Expired"},
		{CredSurrendered, "Surrendered", "inactive", "Surrendered"},
		{CredSuspended, "Suspended", "inactive", "Suspended"},
		{CredRevoked, "Revoked", "revoked", "Revoked"},
		{"bogus", "Unknown status", "unknown", "Unknown"},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Label(); got != tt.label {
				t.Errorf("Label = %q, want %q", got, tt.label)
			}
			if got := tt.s.HL7(); got != tt.hl7 || !hl7[got] {
				t.Errorf("HL7 = %q, want %q", got, tt.hl7)
			}
			if got := tt.s.PublicLabel(); !strings.HasPrefix(got, tt.publicPrefix) {
				t.Errorf("PublicLabel = %q, want prefix %q", got, tt.publicPrefix)
			}
			if tt.s.Valid() == (tt.s == "bogus") {
				t.Errorf("Valid = %v", tt.s.Valid())
			}
		})
	}
}

func TestFormatCredentialNumber(t *testing.T) {
	tests := []struct {
		prefix string
		seq    int64
		shape  string // the number without its check character
	}{
		{"CPSRP", 4217, "CPSRP-004217-"},
		{"CPSRP", 1, "CPSRP-000001-"},
		{"NCPS", 999999, "NCPS-999999-"},
		{"NCPS", 1234567, "NCPS-1234567-"},
	}
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			got := FormatCredentialNumber(tt.prefix, tt.seq)
			if !strings.HasPrefix(got, tt.shape) || len(got) != len(tt.shape)+1 {
				t.Fatalf("FormatCredentialNumber = %q, want %s plus one character", got, tt.shape)
			}
			if norm, err := NormalizeCredentialNumber(got); err != nil || norm != got {
				t.Errorf("NormalizeCredentialNumber(%q) = %q, %v", got, norm, err)
			}
		})
	}
	// Consecutive numbers must not share one check character.
	checks := map[byte]bool{}
	for seq := int64(1); seq <= 36; seq++ {
		n := FormatCredentialNumber("CPSRP", seq)
		checks[n[len(n)-1]] = true
	}
	if len(checks) < 10 {
		t.Errorf("only %d distinct check characters over 36 numbers", len(checks))
	}
	for _, bad := range []struct {
		prefix string
		seq    int64
	}{{"", 1}, {"cpsrp", 1}, {"CP-", 1}, {"CPSRP", 0}, {"CPSRP", -5}} {
		t.Run(fmt.Sprintf("panics on %q %d", bad.prefix, bad.seq), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			FormatCredentialNumber(bad.prefix, bad.seq)
		})
	}
}

// TestCheckCharacterCatchesErrors proves, for a sample of numbers, that every
// single-character substitution and every adjacent transposition of the
// compact form (check character included) is rejected.
func TestCheckCharacterCatchesErrors(t *testing.T) {
	samples := []struct {
		prefix string
		seq    int64
	}{{"CPSRP", 1}, {"CPSRP", 4217}, {"CPSRP", 100000}, {"CPSRP", 987654}, {"NCPS", 55555}, {"NCPS", 1234567}, {"ZZ", 909090}, {"AB", 111111}}
	for _, s := range samples {
		n := FormatCredentialNumber(s.prefix, s.seq)
		t.Run(n, func(t *testing.T) {
			compact := strings.ReplaceAll(n, "-", "")
			if !checkValid(compact) {
				t.Fatalf("%s does not verify", compact)
			}
			b := []byte(compact)
			for i := range b {
				orig := b[i]
				for _, c := range []byte(checkAlphabet) {
					if c == orig {
						continue
					}
					b[i] = c
					if checkValid(string(b)) {
						t.Errorf("substitution %s not caught", b)
					}
					if _, err := NormalizeCredentialNumber(string(b)); err == nil {
						t.Errorf("NormalizeCredentialNumber accepted %s", b)
					}
				}
				b[i] = orig
			}
			for i := 0; i+1 < len(b); i++ {
				if b[i] == b[i+1] {
					continue
				}
				b[i], b[i+1] = b[i+1], b[i]
				if checkValid(string(b)) {
					t.Errorf("transposition %s not caught", b)
				}
				b[i], b[i+1] = b[i+1], b[i]
			}
		})
	}
}

// TestCheckSchemeProperty checks the property for every interim state, which
// proves it for numbers of any length: the step x -> a·x + y is a bijection in
// both x and y, and swapping two different adjacent symbols always changes
// the state.
func TestCheckSchemeProperty(t *testing.T) {
	for s := range 36 {
		state := elemOf(s)
		if state.value() != s {
			t.Fatalf("elemOf(%d).value() = %d", s, state.value())
		}
		next := map[checkElem]bool{}
		for x := range 36 {
			next[state.timesA().plus(elemOf(x))] = true
			for y := range 36 {
				if x == y {
					continue
				}
				xy := state.timesA().plus(elemOf(x)).timesA().plus(elemOf(y))
				yx := state.timesA().plus(elemOf(y)).timesA().plus(elemOf(x))
				if xy == yx {
					t.Errorf("state %d: swapping %c%c is not caught", s, checkAlphabet[x], checkAlphabet[y])
				}
			}
		}
		if len(next) != 36 {
			t.Errorf("state %d: step is not a bijection over symbols", s)
		}
	}
	images := map[checkElem]bool{}
	for s := range 36 {
		images[elemOf(s).timesA()] = true
	}
	if len(images) != 36 {
		t.Error("multiplying by a is not a bijection")
	}
}

func TestNormalizeCredentialNumber(t *testing.T) {
	good := FormatCredentialNumber("CPSRP", 4217)
	check := good[len(good)-1:]
	wrong := "0"
	if check == "0" {
		wrong = "1"
	}
	tests := []struct {
		name, in, want string
	}{
		{"canonical", good, good},
		{"lower case and spaces", "  " + strings.ToLower(good) + " ", good},
		{"no hyphens", "CPSRP004217" + check, good},
		{"spaces instead of hyphens", "CPSRP 004217 " + check, good},
		{"long sequence", FormatCredentialNumber("NCPS", 1234567), FormatCredentialNumber("NCPS", 1234567)},
		{"wrong check character", "CPSRP-004217-" + wrong, ""},
		{"missing check character", "CPSRP-004217", ""},
		{"leading zeros dropped", "CPSRP-4217-" + check, ""},
		{"no prefix", "004217" + check, ""},
		{"empty", "", ""},
		{"punctuation", "CPSRP/004217/" + check, ""},
		{"letter among digits", "CPSRP-0042I7-" + check, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeCredentialNumber(tt.in)
			if tt.want == "" {
				if ErrorCode(err) != EINVALID || ErrorMessage(err) != "That is not a valid credential number" {
					t.Errorf("NormalizeCredentialNumber(%q) = %q, %v; want the invalid-number error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeCredentialNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRenewalDates(t *testing.T) {
	ct := DefaultCPSRP() // window 90 days before, grace 90 days after
	expires := dayUTC(2028, 3, 15)
	tests := []struct {
		name                    string
		today                   time.Time
		window, grace, reinstat bool
	}{
		{"well before the window", dayUTC(2027, 12, 1), false, false, false},
		{"day before window opens", expires.AddDate(0, 0, -91), false, false, false},
		{"window opens", expires.AddDate(0, 0, -90), true, false, false},
		{"expiry day, still valid", expires, true, false, false},
		{"evening of expiry day", expires.Add(23 * time.Hour), true, false, false},
		{"first day of grace", expires.AddDate(0, 0, 1), true, true, false},
		{"last day of grace", expires.AddDate(0, 0, 90), true, true, false},
		{"grace over", expires.AddDate(0, 0, 91), false, false, true},
		{"years later", dayUTC(2031, 1, 1), false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenewalWindowOpen(ct, expires, tt.today); got != tt.window {
				t.Errorf("RenewalWindowOpen = %v, want %v", got, tt.window)
			}
			if got := InGrace(ct, expires, tt.today); got != tt.grace {
				t.Errorf("InGrace = %v, want %v", got, tt.grace)
			}
			if got := NeedsReinstatement(ct, expires, tt.today); got != tt.reinstat {
				t.Errorf("NeedsReinstatement = %v, want %v", got, tt.reinstat)
			}
		})
	}
	t.Run("no grace period", func(t *testing.T) {
		noGrace := ct
		noGrace.GraceDays = 0
		day := expires.AddDate(0, 0, 1)
		if InGrace(noGrace, expires, day) || !NeedsReinstatement(noGrace, expires, day) || RenewalWindowOpen(noGrace, expires, day) {
			t.Error("with no grace period the day after expiry needs reinstatement")
		}
	})
}

func TestRenewedExpiry(t *testing.T) {
	ct := DefaultCPSRP()
	tests := []struct {
		name     string
		old      time.Time
		want     time.Time
		cycleMon int
	}{
		{"two years from old expiry", dayUTC(2028, 3, 15), dayUTC(2030, 3, 15), 24},
		{"leap day", dayUTC(2028, 2, 29), dayUTC(2030, 2, 28), 24},
		{"one-year cycle", dayUTC(2027, 6, 30), dayUTC(2028, 6, 30), 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct.CycleMonths = tt.cycleMon
			if got := RenewedExpiry(ct, tt.old); !got.Equal(tt.want) {
				t.Errorf("RenewedExpiry(%v) = %v, want %v", tt.old, got, tt.want)
			}
		})
	}
}
