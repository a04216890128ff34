// Package examfile reads and validates an exam vendor's results file: a
// CSV with a header row naming the columns candidate_id, exam_date,
// exam_form, scaled_score and result, in any order and any letter case. It
// is pure Go, so every rule is table-tested without a database; checks that
// need the database (unknown candidate ids) happen in the importer.
package examfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peerboard/peerboard/internal/csvsheet"
	"github.com/peerboard/peerboard/internal/peerboard"
)

// MaxBytes is the largest results file accepted, by the web upload and the
// command line alike.
const MaxBytes = 2 << 20

// MaxErrors bounds the list of bad lines, so a wrong file cannot make a
// page of endless errors.
const MaxErrors = 1000

// MaxScore is the highest scaled score a vendor reports.
const MaxScore = 999

// Row is one valid row of the file.
type Row = peerboard.ExamResultRow

// RowError is one refused line and why.
type RowError = peerboard.ExamRowError

// Columns are the required header names, in the order messages list them.
var Columns = []string{"candidate_id", "exam_date", "exam_form", "scaled_score", "result"}

// earliest is the first exam date accepted; older dates are typing mistakes.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// sheet is the results file's framework: its columns, limits and the
// messages that name it.
var sheet = csvsheet.Sheet{
	Columns:   Columns,
	MaxBytes:  MaxBytes,
	MaxErrors: MaxErrors,
	NotText:   "The file is not a text file. Upload the CSV export from the exam vendor.",
	NotUTF8:   "It is not valid UTF-8 text. Save the file as CSV UTF-8.",
	NoRows:    "The file has a header row but no results.",
}

// Parse reads a results file and validates every row against today's date.
// It returns the valid rows and, for each bad line, its number and reason;
// a caller must import nothing when any RowError is returned. The error is
// only for a reader that fails.
func Parse(r io.Reader, today time.Time) ([]Row, []RowError, error) {
	p := parser{today: DateOf(today), seen: csvsheet.Seen[key]{}}
	errs, err := sheet.Read(r, p.row)
	if err != nil {
		return nil, nil, fmt.Errorf("read results file: %w", err)
	}
	if len(errs) > 0 {
		out := make([]RowError, len(errs))
		for i, e := range errs {
			out[i] = RowError(e)
		}
		return nil, out, nil
	}
	return p.rows, nil, nil
}

// DateOf truncates t to its UTC calendar date.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// key identifies one sitting: a file must not list it twice.
type key struct {
	candidate string
	date      time.Time
	form      string
}

type parser struct {
	today time.Time
	rows  []Row
	seen  csvsheet.Seen[key]
}

// row validates one record and returns why it is refused, or "" when it is
// good; every problem of the line goes in one message.
func (p *parser) row(line int, cell func(column string) string) string {
	var reasons []string
	row := Row{Line: line}

	row.CandidateID = strings.ToUpper(cell("candidate_id"))
	if !validCandidateID(row.CandidateID) {
		reasons = append(reasons, fmt.Sprintf("candidate_id %s is not a candidate id (letters and digits, at most 40).", csvsheet.Quote(cell("candidate_id"))))
	}

	rawDate := cell("exam_date")
	d, err := time.Parse(time.DateOnly, rawDate)
	switch {
	case err != nil:
		reasons = append(reasons, fmt.Sprintf("exam_date %s is not a date like 2026-03-31.", csvsheet.Quote(rawDate)))
	case d.After(p.today):
		reasons = append(reasons, fmt.Sprintf("exam_date %s is in the future.", rawDate))
	case d.Before(earliest):
		reasons = append(reasons, fmt.Sprintf("exam_date %s is before 2000.", rawDate))
	default:
		row.ExamDate = d
	}

	row.ExamForm = cell("exam_form")
	if !validForm(row.ExamForm) {
		reasons = append(reasons, fmt.Sprintf("exam_form %s is not an exam form code (letters, digits, dot, dash or underscore, at most 40).", csvsheet.Quote(row.ExamForm)))
	}

	rawScore := cell("scaled_score")
	score, ok := parseScore(rawScore)
	if !ok {
		reasons = append(reasons, fmt.Sprintf("scaled_score %s is not a whole number from 0 to %d.", csvsheet.Quote(rawScore), MaxScore))
	}
	row.ScaledScore = score

	rawResult := cell("result")
	if row.Outcome, ok = peerboard.ParseExamOutcome(rawResult); !ok {
		reasons = append(reasons, fmt.Sprintf("result %s is not pass, fail or no_show.", csvsheet.Quote(rawResult)))
	}

	if len(reasons) == 0 {
		k := key{row.CandidateID, row.ExamDate, row.ExamForm}
		if msg := p.seen.Repeat(k, line, "candidate, date and form"); msg != "" {
			reasons = append(reasons, msg)
		}
	}
	if len(reasons) > 0 {
		return strings.Join(reasons, " ")
	}
	p.rows = append(p.rows, row)
	return ""
}

func validCandidateID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// validForm accepts vendor form codes such as "A", "2026-B" or "CPSRP.3";
// it must start with a letter or digit, so formula-looking cells fail.
func validForm(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i, r := range s {
		alnum := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._-", r)) {
			return false
		}
	}
	return true
}

// parseScore accepts plain digits only: no sign, no decimals, no spaces.
func parseScore(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= MaxScore
}
