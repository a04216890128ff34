package peerboard

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func rd(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDrawAudit(t *testing.T) {
	tests := []struct {
		name    string
		percent int
		bytes   []byte
		want    bool
		wantErr bool
	}{
		{"0 is below 10", 10, []byte{0, 0}, true, false},
		{"9 is below 10", 10, []byte{0, 9}, true, false},
		{"10 is not below 10", 10, []byte{0, 10}, false, false},
		{"109 folds to 9", 10, []byte{0, 109}, true, false},
		{"0 percent never", 0, []byte{0, 0}, false, false},
		{"100 percent always", 100, []byte{0xff, 0x00, 0, 99}, true, false},
		// 65535 and 65500 are rejected; the third pair (5) decides.
		{"biased values are redrawn", 10, []byte{0xff, 0xff, 0xff, 0xdc, 0, 5}, true, false},
		{"short reader fails", 10, []byte{0}, false, true},
		{"rejection then short fails", 10, []byte{0xff, 0xff}, false, true},
		{"negative percent", -1, []byte{0, 0}, false, true},
		{"over 100 percent", 101, []byte{0, 0}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DrawAudit(tt.percent, bytes.NewReader(tt.bytes))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("DrawAudit = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDrawAuditRate checks the share drawn over many real random draws
// stays near the configured percent.
func TestDrawAuditRate(t *testing.T) {
	const n = 20000
	hits := 0
	for range n {
		ok, err := DrawAudit(10, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			hits++
		}
	}
	if hits < n*8/100 || hits > n*12/100 {
		t.Errorf("%d of %d drawn, want about 10%%", hits, n)
	}
}

func TestCheckRenewalTransition(t *testing.T) {
	all := []RenewalStatus{RenewalSubmitted, RenewalUnderReview, RenewalNeedsInformation, RenewalResubmitted,
		RenewalApproved, RenewalDenied, RenewalWithdrawn}
	allowed := map[[2]RenewalStatus]Actor{
		{RenewalNeedsInformation, RenewalResubmitted}: ActorApplicant,
		{RenewalSubmitted, RenewalUnderReview}:        ActorStaff,
		{RenewalResubmitted, RenewalUnderReview}:      ActorStaff,
		{RenewalUnderReview, RenewalApproved}:         ActorStaff,
		{RenewalUnderReview, RenewalDenied}:           ActorStaff,
		{RenewalUnderReview, RenewalNeedsInformation}: ActorStaff,
		{RenewalNeedsInformation, RenewalDenied}:      ActorSystem,
	}
	for _, from := range all {
		for _, to := range all {
			for _, by := range []Actor{ActorApplicant, ActorStaff, ActorSystem} {
				err := CheckRenewalTransition(from, to, by)
				want, ok := allowed[[2]RenewalStatus{from, to}]
				if ok && want == by {
					if err != nil {
						t.Errorf("%s→%s by %s: %v, want allowed", from, to, by, err)
					}
				} else if ErrorCode(err) != EINVALID {
					t.Errorf("%s→%s by %s: %v, want EINVALID", from, to, by, err)
				}
			}
		}
	}
	if err := CheckRenewalTransition("bogus", RenewalApproved, ActorStaff); ErrorCode(err) != EINVALID {
		t.Errorf("unknown status: %v", err)
	}
}

func TestCheckRenewable(t *testing.T) {
	ct := DefaultCPSRP() // window 90 days before, grace 90 days after
	expires := rd("2027-01-10")
	tests := []struct {
		name    string
		status  CredentialStatus
		today   string
		flagged bool
		wantMsg string // "" means renewable
	}{
		{"before the window", CredActive, "2026-10-11", false, "Renewal opens on October 12, 2026"},
		{"first day of the window", CredActive, "2026-10-12", false, ""},
		{"on the expiry date", CredActive, "2027-01-10", false, ""},
		{"expired, in grace", CredExpired, "2027-03-01", false, ""},
		{"last day of grace", CredExpired, "2027-04-10", false, ""},
		{"past grace", CredExpired, "2027-04-11", false, "reinstatement"},
		{"flagged by the job", CredExpired, "2027-02-01", true, "reinstatement"},
		{"inactive in the window", CredInactive, "2026-12-01", false, ""},
		{"surrendered", CredSurrendered, "2026-12-01", false, "surrendered and cannot be renewed"},
		{"revoked", CredRevoked, "2026-12-01", false, "revoked"},
		{"suspended", CredSuspended, "2026-12-01", false, "suspended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRenewable(ct, tt.status, expires, rd(tt.today), tt.flagged)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("err = %v, want renewable", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.wantMsg) {
				t.Fatalf("err = %v, want EINVALID containing %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCheckReactivation(t *testing.T) {
	ct := DefaultCPSRP()
	expires := rd("2027-01-10")
	for _, tt := range []struct {
		today, want string
	}{
		{"2027-01-10", ""},
		{"2027-01-11", "Renew it first"},
		{"2027-04-11", "apply for reinstatement"},
	} {
		err := CheckReactivation(ct, expires, rd(tt.today))
		if tt.want == "" && err != nil || tt.want != "" && !strings.Contains(ErrorMessage(err), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.today, err, tt.want)
		}
	}
}

func TestRenewedExpiryFromOldExpiry(t *testing.T) {
	ct := DefaultCPSRP()
	// Approved early (2026-12-01) or late (2027-03-01): the cycle runs from the old expiry.
	if got := RenewedExpiry(ct, rd("2027-01-10")); !got.Equal(rd("2029-01-10")) {
		t.Errorf("RenewedExpiry = %s, want 2029-01-10", got.Format(time.DateOnly))
	}
}

func TestValidateRenewalInputs(t *testing.T) {
	if err := ValidateRenewalAttestations(map[AttestationKind]bool{AttestCodeOfEthics: true}); ErrorFields(err)["attest_release_of_information"] == "" {
		t.Errorf("missing release: %v", err)
	}
	if err := ValidateRenewalAttestations(map[AttestationKind]bool{AttestCodeOfEthics: true, AttestReleaseOfInformation: true}); err != nil {
		t.Errorf("all signed: %v", err)
	}
	today := rd("2026-12-01")
	for _, tt := range []struct {
		deadline string
		ok       bool
	}{{"2026-12-01", false}, {"2026-12-02", true}, {"2027-05-30", true}, {"2027-05-31", false}} {
		if err := ValidateInfoDeadline(rd(tt.deadline), today); (err == nil) != tt.ok {
			t.Errorf("deadline %s: err = %v, want ok %v", tt.deadline, err, tt.ok)
		}
	}
	if err := ValidateItemReview(false, "  "); ErrorFields(err)["note"] == "" {
		t.Errorf("reject without note: %v", err)
	}
	if err := ValidateItemReview(true, ""); err != nil {
		t.Errorf("accept without note: %v", err)
	}
	if err := ValidateItemReview(true, strings.Repeat("x", 1001)); err == nil {
		t.Error("overlong note accepted")
	}
}

func TestRenewalPermissions(t *testing.T) {
	holder := &User{ID: 1, Role: RoleApplicant}
	other := &User{ID: 2, Role: RoleApplicant}
	reviewer := &User{ID: 3, Role: RoleReviewer}
	selfReviewer := &User{ID: 1, Role: RoleReviewer}
	r := &Renewal{HolderID: 1}
	if !CanViewRenewal(holder, r) || CanViewRenewal(other, r) || !CanViewRenewal(reviewer, r) || CanViewRenewal(nil, r) {
		t.Error("CanViewRenewal wrong")
	}
	if CanDecideRenewal(holder, r) || !CanDecideRenewal(reviewer, r) || CanDecideRenewal(selfReviewer, r) {
		t.Error("CanDecideRenewal wrong")
	}
}

func TestCycleOfDoesNotOverlap(t *testing.T) {
	typ := DefaultCPSRP()
	d := rd
	tests := []struct {
		name, issued, expires, start, end string
	}{
		{"first cycle starts on the issue date", "2026-02-02", "2028-02-02", "2026-02-02", "2028-02-02"},
		{"renewed cycle starts the day after the old expiry", "2026-02-02", "2030-02-02", "2028-02-03", "2030-02-02"},
		{"late issue in the month", "2026-01-31", "2028-01-31", "2026-01-31", "2028-01-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := CycleOf(typ, d(tt.issued), d(tt.expires))
			if !start.Equal(d(tt.start)) || !end.Equal(d(tt.end)) {
				t.Errorf("CycleOf = %s..%s, want %s..%s", start.Format(time.DateOnly), end.Format(time.DateOnly), tt.start, tt.end)
			}
		})
	}
	// An activity on the old expiry date belongs to the expiring cycle only.
	issued, oldExpiry := d("2026-02-02"), d("2028-02-02")
	_, firstEnd := CycleOf(typ, issued, oldExpiry)
	secondStart, _ := CycleOf(typ, issued, RenewedExpiry(typ, oldExpiry))
	if !secondStart.After(firstEnd) {
		t.Errorf("second cycle starts %s, first ends %s: they overlap", secondStart.Format(time.DateOnly), firstEnd.Format(time.DateOnly))
	}
}
