// Package cefile reads and validates the CE completions a training
// organization posts: one entry typed in a form, or a roster CSV with a
// header row naming the columns email, name, title, date, hours and
// category, in any order and any letter case. It is pure Go, so every rule
// is table-tested without a database. A roster is validated whole: any bad
// line means nothing is imported, and every bad line is reported.
//
// Cells are only ever read as text: a cell that starts with =, +, - or @ is
// never evaluated; it fails the email, date and hours rules and is stored
// verbatim as a name or title. Whoever writes such a cell back into a CSV
// must prefix it with a single quote so a spreadsheet shows it as text.
package cefile

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peerboard/peerboard/internal/csvsheet"
	"github.com/peerboard/peerboard/internal/peerboard"
)

// MaxBytes is the largest roster accepted: 2 MiB, about 20,000 rows.
const MaxBytes = 2 << 20

// MaxErrors bounds the list of bad lines, so a wrong file cannot make a page
// of endless errors.
const MaxErrors = 1000

// MaxTextLen bounds names and titles, as the database does.
const MaxTextLen = 200

// Columns are the required header names, in the order messages list them.
var Columns = []string{"email", "name", "title", "date", "hours", "category"}

// earliest is the first activity date accepted; older dates are typing mistakes.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Entry is one CE completion as typed: in a form or a roster's cells.
type Entry struct {
	Email, Name, Title, Date, Hours, Category string
}

// Row is one valid CE completion, ready to store. Line is its line in the
// roster (0 for a form).
type Row struct {
	Line     int
	Email    string // normalized: trimmed, lower case
	Name     string
	Title    string
	Date     time.Time
	Hours    float64
	Category peerboard.CECategory
}

// RowError is one refused line of a roster and why; Line is 0 when the
// problem is the whole file.
type RowError = csvsheet.RowError

// Report is the outcome of a roster upload: either Errors, and nothing was
// imported, or the number of rows and how many of them were new (a roster
// posted again has New == 0).
type Report struct {
	ImportID int64
	Filename string
	SHA256   string
	Rows     int
	New      int
	Errors   []RowError
}

// Check validates one entry against today. It returns the row and, when
// something is wrong, the messages keyed by column name (email, name,
// title, date, hours, category); the form shows them next to its fields
// and the roster joins them into one reason per line.
func Check(e Entry, today time.Time) (Row, map[string]string) {
	fields := map[string]string{}
	r := Row{
		Email: peerboard.NormalizeEmail(e.Email),
		Name:  strings.TrimSpace(e.Name),
		Title: strings.TrimSpace(e.Title),
	}
	switch raw := strings.TrimSpace(e.Email); {
	case raw == "":
		fields["email"] = "Enter the person's email address."
	case !peerboard.ValidEmail(r.Email):
		fields["email"] = fmt.Sprintf("%s is not an email address like name@example.org.", csvsheet.Quote(raw))
	}
	for _, t := range []struct{ key, val, what string }{{"name", r.Name, "the person's full name"}, {"title", r.Title, "the activity's title"}} {
		switch n := utf8.RuneCountInString(t.val); {
		case n == 0:
			fields[t.key] = "Enter " + t.what + "."
		case n > MaxTextLen:
			fields[t.key] = fmt.Sprintf("The %s must be %d characters or fewer.", t.key, MaxTextLen)
		}
	}

	rawDate := strings.TrimSpace(e.Date)
	d, err := time.Parse(time.DateOnly, rawDate)
	switch {
	case rawDate == "":
		fields["date"] = "Enter the date of the activity, like 2026-03-31."
	case err != nil:
		fields["date"] = fmt.Sprintf("%s is not a date like 2026-03-31.", csvsheet.Quote(rawDate))
	case d.After(dateOnly(today)):
		fields["date"] = fmt.Sprintf("%s is in the future.", rawDate)
	case d.Before(earliest):
		fields["date"] = fmt.Sprintf("%s is before 2000.", rawDate)
	default:
		r.Date = d
	}

	h, msg := Hours(e.Hours)
	if msg != "" {
		fields["hours"] = msg
	}
	r.Hours = h

	rawCat := strings.TrimSpace(e.Category)
	if c, ok := ParseCategory(rawCat); ok {
		r.Category = c
	} else if rawCat == "" {
		fields["category"] = "Choose a category."
	} else {
		fields["category"] = fmt.Sprintf("%s is not a category; use one of %s.", csvsheet.Quote(rawCat), categoryList())
	}
	if len(fields) > 0 {
		return r, fields
	}
	return r, nil
}

// Hours reads an hour count typed in a form or a cell and, for a bad one,
// says what is wrong (empty, not a number, negative, zero, over 24, not in
// quarter hours); the message is "" when the count is good.
func Hours(raw string) (float64, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, "Enter the hours, like 1, 1.5 or 0.75."
	}
	f, err := strconv.ParseFloat(raw, 64)
	switch {
	case err != nil || strings.ContainsAny(raw, "+eEinfINFxX_"):
		return 0, fmt.Sprintf("%s is not a number of hours, like 1, 1.5 or 0.75.", csvsheet.Quote(raw))
	case f < 0:
		return 0, fmt.Sprintf("%s hours is negative.", raw)
	case f == 0:
		return 0, "The hours must be more than 0."
	case f > 24:
		return 0, fmt.Sprintf("%s hours is more than 24 in one day.", raw)
	}
	h, err := peerboard.ParseHours(raw)
	if err != nil {
		return 0, fmt.Sprintf("%s is not in quarter hours; use 1, 1.25, 1.5 or 1.75.", csvsheet.Quote(raw))
	}
	return h, ""
}

// ParseCategory accepts a category by its code ("ethics") or its label
// ("Core competencies"), in any letter case.
func ParseCategory(s string) (peerboard.CECategory, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, c := range peerboard.AllCECategories() {
		if s == string(c) || s == strings.ToLower(c.Label()) {
			return c, true
		}
	}
	return "", false
}

func categoryList() string {
	var names []string
	for _, c := range peerboard.AllCECategories() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

// sheet is the roster's framework: its columns, limits and the messages
// that name it.
var sheet = csvsheet.Sheet{
	Columns:         Columns,
	MaxBytes:        MaxBytes,
	MaxErrors:       MaxErrors,
	NotText:         "The file is not a text file. Save the roster as CSV UTF-8 and upload that.",
	NotUTF8:         "It is not valid UTF-8 text (the file may be saved as Latin-1 or Windows-1252). Save the file as CSV UTF-8.",
	NoRows:          "The file has a header row but no CE completions.",
	ExtrasMayRepeat: true,
}

// Parse reads a roster and validates every row against today. It returns
// the valid rows and, for each bad line, its number and reason; a caller
// must import nothing when any RowError is returned. The error is only for
// a reader that fails.
func Parse(r io.Reader, today time.Time) ([]Row, []RowError, error) {
	p := parser{today: dateOnly(today), seen: csvsheet.Seen[key]{}}
	errs, err := sheet.Read(r, p.row)
	if err != nil {
		return nil, nil, fmt.Errorf("read roster: %w", err)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return p.rows, nil, nil
}

// key is what the database's dedupe index compares, for one organization's
// roster: a file must not list the same completion twice.
type key struct {
	email, title string
	date         time.Time
	hours        float64
	category     peerboard.CECategory
}

type parser struct {
	today time.Time
	rows  []Row
	seen  csvsheet.Seen[key]
}

// row validates one record and returns why it is refused, or "" when it is
// good; every problem of the line goes in one message, in the order of
// Columns.
func (p *parser) row(line int, cell func(column string) string) string {
	row, fields := Check(Entry{Email: cell("email"), Name: cell("name"), Title: cell("title"),
		Date: cell("date"), Hours: cell("hours"), Category: cell("category")}, p.today)
	row.Line = line
	var reasons []string
	for _, c := range Columns {
		if msg, ok := fields[c]; ok {
			reasons = append(reasons, c+": "+msg)
		}
	}
	if len(reasons) == 0 {
		k := key{row.Email, strings.ToLower(row.Title), row.Date, row.Hours, row.Category}
		if msg := p.seen.Repeat(k, line, "person, title, date, hours and category"); msg != "" {
			reasons = append(reasons, msg)
		}
	}
	if len(reasons) > 0 {
		return strings.Join(reasons, " ")
	}
	p.rows = append(p.rows, row)
	return ""
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
