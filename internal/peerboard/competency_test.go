package peerboard

import "testing"

func TestCompetencyNames(t *testing.T) {
	want := []string{
		"Engages peers in collaborative and caring relationships",
		"Provides support",
		"Shares lived experiences of recovery",
		"Personalizes peer support",
		"Supports recovery planning",
		"Links to resources, services, and supports",
		"Provides information about skills related to health, wellness, and recovery",
		"Helps peers to manage crises",
		"Values communication",
		"Supports collaboration and teamwork",
		"Promotes leadership and advocacy",
		"Promotes growth and development",
	}
	all := AllCompetencies()
	if len(all) != len(want) {
		t.Fatalf("AllCompetencies() has %d entries, want %d", len(all), len(want))
	}
	for i, c := range all {
		if int(c) != i+1 {
			t.Errorf("AllCompetencies()[%d] = %d, want %d", i, c, i+1)
		}
		if c.String() != want[i] {
			t.Errorf("Competency(%d).String() = %q, want %q", c, c.String(), want[i])
		}
	}
	all[0] = 99 // the caller owns the slice
	if AllCompetencies()[0] != CompEngages {
		t.Error("AllCompetencies returned a shared slice")
	}
}

func TestCompetencyValid(t *testing.T) {
	tests := []struct {
		c    Competency
		want bool
	}{
		{0, false}, {1, true}, {6, true}, {12, true}, {13, false}, {-1, false},
	}
	for _, tt := range tests {
		if got := tt.c.Valid(); got != tt.want {
			t.Errorf("Competency(%d).Valid() = %v, want %v", tt.c, got, tt.want)
		}
	}
	if got := Competency(13).String(); got != "Unknown competency" {
		t.Errorf("Competency(13).String() = %q", got)
	}
}
