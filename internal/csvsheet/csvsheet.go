// Package csvsheet reads an uploaded CSV sheet: a header row naming the
// columns in any order and letter case, then one record per line. It owns
// the checks every upload shares (size, UTF-8 text, the header, the column
// count, a cap on the errors reported, repeated rows), so each file format
// keeps only the rules for its own cells. It is pure Go: no HTTP, no SQL.
package csvsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RowError is one refused line and why.
type RowError struct {
	Line   int // 0 when the problem is the whole file
	Reason string
}

// Sheet describes one kind of upload: its columns, its limits and the
// messages that speak of what the file should hold.
type Sheet struct {
	Columns   []string // required header names, in the order messages list them
	MaxBytes  int      // the largest file accepted
	MaxErrors int      // how many bad lines are reported before checking stops
	NotText   string   // why a file holding a NUL byte is refused
	NotUTF8   string   // why a line that is not UTF-8 is refused
	NoRows    string   // why a file with a header row and nothing else is refused
	// ExtrasMayRepeat accepts a header naming a column outside Columns twice;
	// the first one counts. Otherwise any repeated name is refused.
	ExtrasMayRepeat bool
}

// Read reads a sheet from r and calls row for each record that has as many
// cells as the header, in file order. cell returns the named column's cell,
// trimmed; the name must be one of Columns. row returns why its line is
// refused, or "" to accept it.
//
// Read returns the refused lines; none means every line was accepted and
// there was at least one. A caller must import nothing when any RowError is
// returned. The error is only for a reader that fails.
func (s Sheet) Read(r io.Reader, row func(line int, cell func(column string) string) string) ([]RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(s.MaxBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > s.MaxBytes {
		return []RowError{{Line: 0, Reason: fmt.Sprintf("The file is larger than %d MiB.", s.MaxBytes>>20)}}, nil
	}
	if errs := s.checkText(data); len(errs) > 0 {
		return errs, nil
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheet programs add a byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return []RowError{{Line: 0, Reason: "The file is empty."}}, nil
	}

	cr := csv.NewReader(bytes.NewReader(data))
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return []RowError{{Line: lineOf(err, 1), Reason: "The header row cannot be read as CSV. Check its quotes."}}, nil
	}
	width := len(header)
	col, herr := s.columns(header)
	if herr != nil {
		return []RowError{*herr}, nil
	}

	var rec []string
	cell := func(column string) string { return strings.TrimSpace(rec[col[column]]) }
	var errs []RowError
	accepted := 0
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.Is(err, csv.ErrFieldCount):
			errs = append(errs, RowError{Line: lineOf(err, 0), Reason: fmt.Sprintf("It has %d columns; the header has %d.", len(rec), width)})
		case errors.As(err, &pe):
			errs = append(errs, RowError{Line: lineOf(err, 0), Reason: "It cannot be read as CSV. Check its quotes."})
		case err != nil:
			return nil, err
		default:
			line, _ := cr.FieldPos(0)
			if reason := row(line, cell); reason != "" {
				errs = append(errs, RowError{Line: line, Reason: reason})
			} else {
				accepted++
			}
		}
		if len(errs) >= s.MaxErrors {
			errs = append(errs, RowError{Line: 0, Reason: fmt.Sprintf("More than %d lines have problems; checking stopped there.", s.MaxErrors)})
			return errs, nil
		}
	}
	if len(errs) > 0 {
		return errs, nil
	}
	if accepted == 0 {
		return []RowError{{Line: 0, Reason: s.NoRows}}, nil
	}
	return nil, nil
}

// checkText refuses binary files and names each line that is not UTF-8,
// such as a file saved as Latin-1 or Windows-1252.
func (s Sheet) checkText(data []byte) []RowError {
	if bytes.IndexByte(data, 0) >= 0 {
		return []RowError{{Line: 0, Reason: s.NotText}}
	}
	if utf8.Valid(data) {
		return nil
	}
	var errs []RowError
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			errs = append(errs, RowError{Line: i + 1, Reason: s.NotUTF8})
			if len(errs) == s.MaxErrors {
				break
			}
		}
	}
	return errs
}

// columns maps each header name, in lower case, to its position.
func (s Sheet) columns(header []string) (map[string]int, *RowError) {
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		if _, dup := col[name]; dup {
			if s.ExtrasMayRepeat && !slices.Contains(s.Columns, name) {
				continue
			}
			return nil, &RowError{Line: 1, Reason: fmt.Sprintf("The header names the column %q twice.", name)}
		}
		col[name] = i
	}
	var missing []string
	for _, c := range s.Columns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	switch {
	case len(missing) == len(s.Columns):
		return nil, &RowError{Line: 1, Reason: "The first line must be a header row naming the columns " + strings.Join(s.Columns, ", ") + "."}
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

// Seen remembers the first line of each row key, so a file cannot list the
// same row twice.
type Seen[K comparable] map[K]int

// Repeat records that line holds key k. When an earlier line held it, it
// returns "It repeats line N (same what)." and records nothing; otherwise "".
func (s Seen[K]) Repeat(k K, line int, what string) string {
	if first, dup := s[k]; dup {
		return fmt.Sprintf("It repeats line %d (same %s).", first, what)
	}
	s[k] = line
	return ""
}

// Quote shows a cell in a message, shortened so a huge cell cannot flood the
// page; the page escapes it, and it is never evaluated.
func Quote(s string) string {
	if s == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
