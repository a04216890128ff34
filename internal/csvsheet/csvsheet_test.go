package csvsheet_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/peerboard/peerboard/internal/csvsheet"
)

// sheet has two columns; a row is refused when its b cell is "bad".
var sheet = csvsheet.Sheet{
	Columns:   []string{"a", "b"},
	MaxBytes:  1 << 20,
	MaxErrors: 3,
	NotText:   "not text",
	NotUTF8:   "not UTF-8",
	NoRows:    "no rows",
}

// got is what one Read saw: the accepted rows as "line:a|b" and the errors.
type got struct {
	rows []string
	errs []csvsheet.RowError
}

func read(t *testing.T, s csvsheet.Sheet, in string) got {
	t.Helper()
	var g got
	errs, err := s.Read(strings.NewReader(in), func(line int, cell func(string) string) string {
		if cell("b") == "bad" {
			return "b is bad"
		}
		g.rows = append(g.rows, fmt.Sprintf("%d:%s|%s", line, cell("a"), cell("b")))
		return ""
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	g.errs = errs
	return g
}

func TestReadAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "a,b\n1,2\n3,4\n", []string{"2:1|2", "3:3|4"}},
		{"byte-order mark", "\uFEFFa,b\n1,2\n", []string{"2:1|2"}},
		{"any order and case", " B ,A\r\n2,1\r\n", []string{"2:1|2"}},
		{"extra and blank columns", "x,a,,b\n0,1,,2\n", []string{"2:1|2"}},
		{"cells trimmed", "a,b\n 1 ,2 \n", []string{"2:1|2"}},
		{"quoted cell over lines", "a,b\n\"1\n1\",2\n3,4\n", []string{"2:1\n1|2", "4:3|4"}},
		{"blank lines skipped", "a,b\n\n1,2\n", []string{"3:1|2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := read(t, sheet, tt.in)
			if g.errs != nil || !reflect.DeepEqual(g.rows, tt.want) {
				t.Errorf("rows %q, errs %+v; want rows %q and no errors", g.rows, g.errs, tt.want)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	e := func(line int, reason string) csvsheet.RowError { return csvsheet.RowError{Line: line, Reason: reason} }
	small := sheet
	small.MaxBytes = 3 << 20
	big := "a,b\n" + strings.Repeat("1,2\n", (3<<20)/4)
	extras := sheet
	extras.ExtrasMayRepeat = true
	tests := []struct {
		name  string
		sheet csvsheet.Sheet
		in    string
		want  []csvsheet.RowError
	}{
		{"empty", sheet, "", []csvsheet.RowError{e(0, "The file is empty.")}},
		{"blank", sheet, " \r\n\n", []csvsheet.RowError{e(0, "The file is empty.")}},
		{"only a byte-order mark", sheet, "\uFEFF\n", []csvsheet.RowError{e(0, "The file is empty.")}},
		{"too large", small, big, []csvsheet.RowError{e(0, "The file is larger than 3 MiB.")}},
		{"binary", sheet, "a,b\n1,\x00\n", []csvsheet.RowError{e(0, "not text")}},
		{"not UTF-8 lines", sheet, "a,b\n\xff,2\n1,2\n3,\xe9\n", []csvsheet.RowError{e(2, "not UTF-8"), e(4, "not UTF-8")}},
		{"not UTF-8 capped", sheet, "a,b\n" + strings.Repeat("\xff,1\n", 5), []csvsheet.RowError{e(2, "not UTF-8"), e(3, "not UTF-8"), e(4, "not UTF-8")}},
		{"header only", sheet, "a,b\n", []csvsheet.RowError{e(0, "no rows")}},
		{"no header", sheet, "1,2\n", []csvsheet.RowError{e(1, "The first line must be a header row naming the columns a, b.")}},
		{"header lacks a column", sheet, "a,c\n1,2\n", []csvsheet.RowError{e(1, "The header row lacks the column(s) b.")}},
		{"header repeats a column", sheet, "a,b,A\n", []csvsheet.RowError{e(1, `The header names the column "a" twice.`)}},
		{"header repeats an extra", sheet, "a,b,c,C\n", []csvsheet.RowError{e(1, `The header names the column "c" twice.`)}},
		{"extras may repeat, columns not", extras, "a,b,c,C,B\n", []csvsheet.RowError{e(1, `The header names the column "b" twice.`)}},
		{"header quotes", sheet, "a,\"b\n", []csvsheet.RowError{e(1, "The header row cannot be read as CSV. Check its quotes.")}},
		{"too few columns", sheet, "a,b\n1\n", []csvsheet.RowError{e(2, "It has 1 columns; the header has 2.")}},
		{"too many columns", sheet, "a,b\n1,2,3\n", []csvsheet.RowError{e(2, "It has 3 columns; the header has 2.")}},
		{"bad quotes", sheet, "a,b\n1,\"2\"x\n", []csvsheet.RowError{e(2, "It cannot be read as CSV. Check its quotes.")}},
		{"unclosed quote names its first line", sheet, "a,b\n1,2\n3,\"4\n5,6\n", []csvsheet.RowError{e(3, "It cannot be read as CSV. Check its quotes.")}},
		{"row refused", sheet, "a,b\n1,2\n3,bad\n", []csvsheet.RowError{e(3, "b is bad")}},
		{"every bad line", sheet, "a,b\n1,bad\n1,2\n1\n", []csvsheet.RowError{e(2, "b is bad"), e(4, "It has 1 columns; the header has 2.")}},
		{"error cap", sheet, "a,b\n" + strings.Repeat("1,bad\n", 10), []csvsheet.RowError{
			e(2, "b is bad"), e(3, "b is bad"), e(4, "b is bad"),
			e(0, "More than 3 lines have problems; checking stopped there."),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := read(t, tt.sheet, tt.in)
			if !reflect.DeepEqual(g.errs, tt.want) {
				t.Errorf("errs = %+v\nwant   %+v", g.errs, tt.want)
			}
		})
	}
}

func TestReadFailingReader(t *testing.T) {
	boom := errors.New("boom")
	errs, err := sheet.Read(iotest.ErrReader(boom), func(int, func(string) string) string { return "" })
	if !errors.Is(err, boom) || errs != nil {
		t.Errorf("Read = %+v, %v; want the reader's error", errs, err)
	}
}

func TestSeenRepeat(t *testing.T) {
	seen := csvsheet.Seen[string]{}
	steps := []struct {
		key  string
		line int
		want string
	}{
		{"x", 2, ""},
		{"y", 3, ""},
		{"x", 4, "It repeats line 2 (same key)."},
		{"x", 5, "It repeats line 2 (same key)."},
	}
	for _, s := range steps {
		if got := seen.Repeat(s.key, s.line, "key"); got != s.want {
			t.Errorf("Repeat(%q, %d) = %q, want %q", s.key, s.line, got, s.want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "(empty)"},
		{"abc", `"abc"`},
		{`say "hi"`, `"say \"hi\""`},
		{strings.Repeat("é", 40), `"` + strings.Repeat("é", 40) + `"`},
		{strings.Repeat("é", 41), `"` + strings.Repeat("é", 40) + `…"`},
	}
	for _, tt := range tests {
		if got := csvsheet.Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
