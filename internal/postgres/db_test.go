package postgres_test

import (
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/postgres"
)

// "Today" is the board's date: at 03:00 UTC it is still the previous day in
// Connecticut, so nothing expires there a day early.
func TestTodayFollowsTheBoardsTimeZone(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	instant := time.Date(2027, 1, 10, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		loc  *time.Location
		want string
	}{{nil, "2027-01-10"}, {time.UTC, "2027-01-10"}, {newYork, "2027-01-09"}} {
		db := &postgres.DB{Now: func() time.Time { return instant }, Location: tt.loc}
		got := db.Today()
		if got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("Today in %v = %v, want %s at midnight UTC", tt.loc, got, tt.want)
		}
	}
}
