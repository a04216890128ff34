// Package ce renders continuing education pages: the holder's CE progress
// and activity log with the form to log an activity, and the training
// organization's posted CE with the forms to post one completion or a roster.
package ce

import (
	"fmt"
	"time"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// Cycle is one credential's current cycle with its CE progress.
type Cycle struct {
	Credential peerboard.Credential
	Start, End time.Time
	DaysLeft   int // days until expiry; negative once expired
	Progress   peerboard.CEProgress
}

// Activity is one row of a CE list.
type Activity struct {
	ID          int64
	Title       string
	Provider    string
	PersonName  string
	PersonEmail string
	Date        time.Time
	Hours       float64
	Category    peerboard.CECategory
	Verified    bool
	ProofFileID string
	AuditStatus string
	Linked      bool // attached to an account
	CreatedAt   time.Time
}

// HolderModel is the holder's CE page.
type HolderModel struct {
	Cycles     []Cycle
	Activities []Activity
	Newer      string // link to the newest page, "" on it
	Older      string // link to the next page, "" on the last
}

// ActivityForm is what the holder typed; the file is not kept.
type ActivityForm struct {
	Title, Provider, Date, Hours, Category string
}

// NewActivityModel is the log-an-activity page.
type NewActivityModel struct {
	NoCredential bool
	CycleStart   time.Time
	CycleEnd     time.Time
	Form         ActivityForm
	Message      string
	Errors       views.Errors
	// FileChosen says the refused form had a file, which must be chosen again.
	FileChosen bool
}

// OrgModel is the organization's posted CE.
type OrgModel struct {
	Org           peerboard.Organization
	ApprovedToday bool
	Activities    []Activity
	Newer, Older  string
}

// PostModel is the post-one-completion page.
type PostModel struct {
	Form    cefile.Entry
	Today   string
	Message string
	Errors  views.Errors
}

// RosterModel is the upload page shown again with every bad line.
type RosterModel struct {
	Filename string
	Errors   []cefile.RowError
	Message  string
}

// CategoryOptions lists the CE categories for a select, with a blank first.
func CategoryOptions() []views.Option {
	opts := []views.Option{{Value: "", Label: "- Select -"}}
	for _, c := range peerboard.AllCECategories() {
		opts = append(opts, views.Option{Value: string(c), Label: c.Label()})
	}
	return opts
}

func hours(h float64) string { return peerboard.FormatHours(h) }

func longDate(t time.Time) string { return t.Format("January 2, 2006") }

func isoDate(t time.Time) string { return t.Format(time.DateOnly) }

func daysLeft(c Cycle) string {
	switch d := c.DaysLeft; {
	case d > 1:
		return fmt.Sprintf("%d days until it expires on %s.", d, longDate(c.End))
	case d == 1:
		return "1 day until it expires on " + longDate(c.End) + "."
	case d == 0:
		return "It expires today, " + longDate(c.End) + "."
	default:
		return "It expired on " + longDate(c.End) + "."
	}
}

// percent is the share of the requirement met, for the progress bar's text.
func percent(p peerboard.CEProgress) int {
	if p.Required <= 0 {
		return 100
	}
	return min(100, int(p.Counted/p.Required*100))
}

func auditLabel(s string) string {
	switch s {
	case "pending":
		return "Audit: awaiting review"
	case "accepted":
		return "Audit: accepted"
	case "rejected":
		return "Audit: rejected"
	}
	return ""
}

func fileURL(id string) string { return "/files/" + id }

func lineLabel(n int) string {
	if n == 0 {
		return "Whole file"
	}
	return fmt.Sprintf("Line %d", n)
}
