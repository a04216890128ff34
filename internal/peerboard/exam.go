package peerboard

import (
	"strings"
	"time"
)

// ExamOutcome is what the exam vendor reports for one sitting.
type ExamOutcome string

// The outcomes an exam vendor's results file may report.
const (
	ExamPass   ExamOutcome = "pass"
	ExamFail   ExamOutcome = "fail"
	ExamNoShow ExamOutcome = "no_show"
)

// ParseExamOutcome reads a vendor's result cell, case-insensitively.
func ParseExamOutcome(s string) (ExamOutcome, bool) {
	switch o := ExamOutcome(strings.ToLower(strings.TrimSpace(s))); o {
	case ExamPass, ExamFail, ExamNoShow:
		return o, true
	}
	return "", false
}

// Label is the outcome as people read it.
func (o ExamOutcome) Label() string {
	switch o {
	case ExamPass:
		return "Pass"
	case ExamFail:
		return "Fail"
	case ExamNoShow:
		return "No-show"
	}
	return "Unknown"
}

// ExamResultRow is one valid row of an exam vendor's results file. Line is
// the row's line number in the file, so later checks can point back at it.
type ExamResultRow struct {
	Line        int
	CandidateID string
	ExamDate    time.Time
	ExamForm    string
	ScaledScore int
	Outcome     ExamOutcome
}

// ExamRowError says why one line of a results file was refused. Line 0
// means the whole file (empty, not text, and so on).
type ExamRowError struct {
	Line   int
	Reason string
}

// ExamImport is one stored upload of a results file.
type ExamImport struct {
	ID             int64
	Filename       string
	SHA256         string
	RowCount       int
	NewResults     int
	ImportedByName string // "System" for the command line
	ImportedAt     time.Time
}

// ExamImportNote is something an admin should know about one imported row:
// a credential issued, a pass outside the authorization's window, an
// authorization exhausted or forfeited, a result that did not count.
type ExamImportNote struct {
	Line        int
	CandidateID string
	ExamDate    time.Time
	Message     string
}

// ExamImportReport is the outcome of importing a results file. When Errors
// is not empty nothing was imported.
type ExamImportReport struct {
	ImportID   int64
	Filename   string
	SHA256     string
	Rows       int
	NewResults int
	// AlreadyImported counts rows that were stored by an earlier import.
	AlreadyImported int
	// PreviousImportAt is set when a file with the same bytes was imported before.
	PreviousImportAt *time.Time
	Errors           []ExamRowError
	Issued           []ExamImportNote
	OutsideWindow    []ExamImportNote
	Exhausted        []ExamImportNote
	Forfeited        []ExamImportNote
	// NotCounted lists new results that were stored but did not count as an
	// attempt: the authorization was no longer active (used, forfeited or
	// exhausted before this result was processed), or the sitting fell
	// inside the retake wait after a failed attempt.
	NotCounted []ExamImportNote
	// Ignored lists passes that counted as an attempt but issued nothing
	// (the application is no longer approved, or the credential is held).
	Ignored []ExamImportNote
}

// Rejected reports whether the file was refused, so nothing was imported.
func (r *ExamImportReport) Rejected() bool { return len(r.Errors) > 0 }
