// Package examfile reads and validates an exam vendor's results file: a
// CSV with a header row naming the columns candidate_id, exam_date,
// exam_form, scaled_score and result, in any order and any letter case. It
// is pure Go, so every rule is table-tested without a database; checks that
// need the database (unknown candidate ids) happen in the importer.
package examfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// Parse reads a results file and validates every row against today's date.
// It returns the valid rows and, for each bad line, its number and reason;
// a caller must import nothing when any RowError is returned. The error is
// only for a reader that fails.
func Parse(r io.Reader, today time.Time) ([]Row, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read results file: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, []RowError{{Line: 0, Reason: fmt.Sprintf("The file is larger than %d MiB.", MaxBytes>>20)}}, nil
	}
	if errs := checkText(data); len(errs) > 0 {
		return nil, errs, nil
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheet programs add a byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []RowError{{Line: 0, Reason: "The file is empty."}}, nil
	}

	cr := csv.NewReader(bytes.NewReader(data))
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, []RowError{{Line: lineOf(err, 1), Reason: "The header row cannot be read as CSV. Check its quotes."}}, nil
	}
	col, herr := columns(header)
	if herr != nil {
		return nil, []RowError{*herr}, nil
	}

	p := parser{today: DateOf(today), seen: map[key]int{}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.Is(err, csv.ErrFieldCount):
			p.fail(lineOf(err, 0), fmt.Sprintf("It has %d columns; the header has %d.", len(rec), len(header)))
		case errors.As(err, &pe):
			p.fail(lineOf(err, 0), "It cannot be read as CSV. Check its quotes.")
		case err != nil:
			return nil, nil, fmt.Errorf("read results file: %w", err)
		default:
			line, _ := cr.FieldPos(0)
			p.row(line, rec, col)
		}
		if len(p.errs) >= MaxErrors {
			p.errs = append(p.errs, RowError{Line: 0, Reason: fmt.Sprintf("More than %d lines have problems; checking stopped there.", MaxErrors)})
			return nil, p.errs, nil
		}
	}
	if len(p.errs) > 0 {
		return nil, p.errs, nil
	}
	if len(p.rows) == 0 {
		return nil, []RowError{{Line: 0, Reason: "The file has a header row but no results."}}, nil
	}
	return p.rows, nil, nil
}

// DateOf truncates t to its UTC calendar date.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkText refuses binary files and names each line that is not UTF-8.
func checkText(data []byte) []RowError {
	if bytes.IndexByte(data, 0) >= 0 {
		return []RowError{{Line: 0, Reason: "The file is not a text file. Upload the CSV export from the exam vendor."}}
	}
	if utf8.Valid(data) {
		return nil
	}
	var errs []RowError
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			errs = append(errs, RowError{Line: i + 1, Reason: "It is not valid UTF-8 text. Save the file as CSV UTF-8."})
			if len(errs) == MaxErrors {
				break
			}
		}
	}
	return errs
}

// columns maps each required column to its position in the header.
func columns(header []string) (map[string]int, *RowError) {
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		if _, dup := col[name]; dup {
			return nil, &RowError{Line: 1, Reason: fmt.Sprintf("The header names the column %q twice.", name)}
		}
		col[name] = i
	}
	var missing []string
	for _, c := range Columns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	switch {
	case len(missing) == len(Columns):
		return nil, &RowError{Line: 1, Reason: "The first line must be a header row naming the columns " + strings.Join(Columns, ", ") + "."}
	case len(missing) > 0:
		return nil, &RowError{Line: 1, Reason: "The header row lacks the column(s) " + strings.Join(missing, ", ") + "."}
	}
	return col, nil
}

// lineOf returns the line a csv error points at, or def.
func lineOf(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine > 0 {
			return pe.StartLine
		}
		return pe.Line
	}
	return def
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
	errs  []RowError
	seen  map[key]int
}

func (p *parser) fail(line int, reason string) {
	p.errs = append(p.errs, RowError{Line: line, Reason: reason})
}

// row validates one record; every problem of the line goes in one message.
func (p *parser) row(line int, rec []string, col map[string]int) {
	cell := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
	var reasons []string
	row := Row{Line: line}

	row.CandidateID = strings.ToUpper(cell("candidate_id"))
	if !validCandidateID(row.CandidateID) {
		reasons = append(reasons, fmt.Sprintf("candidate_id %s is not a candidate id (letters and digits, at most 40).", quote(cell("candidate_id"))))
	}

	rawDate := cell("exam_date")
	d, err := time.Parse(time.DateOnly, rawDate)
	switch {
	case err != nil:
		reasons = append(reasons, fmt.Sprintf("exam_date %s is not a date like 2026-03-31.", quote(rawDate)))
	case d.After(p.today):
		reasons = append(reasons, fmt.Sprintf("exam_date %s is in the future.", rawDate))
	case d.Before(earliest):
		reasons = append(reasons, fmt.Sprintf("exam_date %s is before 2000.", rawDate))
	default:
		row.ExamDate = d
	}

	row.ExamForm = cell("exam_form")
	if !validForm(row.ExamForm) {
		reasons = append(reasons, fmt.Sprintf("exam_form %s is not an exam form code (letters, digits, dot, dash or underscore, at most 40).", quote(row.ExamForm)))
	}

	rawScore := cell("scaled_score")
	score, ok := parseScore(rawScore)
	if !ok {
		reasons = append(reasons, fmt.Sprintf("scaled_score %s is not a whole number from 0 to %d.", quote(rawScore), MaxScore))
	}
	row.ScaledScore = score

	rawResult := cell("result")
	if row.Outcome, ok = peerboard.ParseExamOutcome(rawResult); !ok {
		reasons = append(reasons, fmt.Sprintf("result %s is not pass, fail or no_show.", quote(rawResult)))
	}

	if len(reasons) == 0 {
		k := key{row.CandidateID, row.ExamDate, row.ExamForm}
		if first, dup := p.seen[k]; dup {
			reasons = append(reasons, fmt.Sprintf("It repeats line %d (same candidate, date and form).", first))
		} else {
			p.seen[k] = line
		}
	}
	if len(reasons) > 0 {
		p.fail(line, strings.Join(reasons, " "))
		return
	}
	p.rows = append(p.rows, row)
}

// quote shows a cell in a message, shortened so a huge cell cannot flood the page.
func quote(s string) string {
	if s == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
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
