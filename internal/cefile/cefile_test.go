package cefile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
)

var today = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

const header = "email,name,title,date,hours,category\n"

func TestParseGoodRoster(t *testing.T) {
	in := "\uFEFFCategory, Hours ,DATE,Title,Name,Email\r\n" +
		"core competencies,1.5,2026-11-23,Ethics refresher,Ana Lopez,Ana@Example.org\r\n" +
		`ethics,0.25,2026-01-02,"Boundaries, part 2","=HYPERLINK(""x"")",ben@example.org` + "\r\n"
	rows, errs, err := cefile.Parse(strings.NewReader(in), today)
	if err != nil || len(errs) > 0 {
		t.Fatalf("Parse: %v %v", errs, err)
	}
	want := []cefile.Row{
		{Line: 2, Email: "ana@example.org", Name: "Ana Lopez", Title: "Ethics refresher", Date: day(2026, 11, 23), Hours: 1.5, Category: peerboard.CECoreCompetencies},
		// A formula in the name is kept as the plain text it is.
		{Line: 3, Email: "ben@example.org", Name: `=HYPERLINK("x")`, Title: "Boundaries, part 2", Date: day(2026, 1, 2), Hours: 0.25, Category: peerboard.CEEthics},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseBadRows(t *testing.T) {
	const good = "ana@example.org,Ana Lopez,Ethics,2026-03-01,2,ethics\n"
	tests := []struct {
		name string
		body string // after the header
		line int
		want string // a fragment of the reason
	}{
		{"too few columns", "ana@example.org,Ana,Ethics,2026-03-01,2\n", 2, "has 5 columns; the header has 6"},
		{"too many columns", good[:len(good)-1] + ",extra\n", 2, "has 7 columns"},
		{"unclosed quote", `ana@example.org,"Ana,Ethics,2026-03-01,2,ethics` + "\n", 2, "cannot be read as CSV"},
		{"bad email", "ana-at-example.org,Ana,Ethics,2026-03-01,2,ethics\n", 2, `email: "ana-at-example.org" is not an email address`},
		{"empty email", ",Ana,Ethics,2026-03-01,2,ethics\n", 2, "email: Enter the person's email"},
		{"empty name", "ana@example.org, ,Ethics,2026-03-01,2,ethics\n", 2, "name: Enter the person's full name"},
		{"empty title", "ana@example.org,Ana,,2026-03-01,2,ethics\n", 2, "title: Enter the activity's title"},
		{"long title", "ana@example.org,Ana," + strings.Repeat("t", 201) + ",2026-03-01,2,ethics\n", 2, "title: The title must be 200 characters or fewer"},
		{"empty date", "ana@example.org,Ana,Ethics,,2,ethics\n", 2, "date: Enter the date"},
		{"bad date", "ana@example.org,Ana,Ethics,03/01/2026,2,ethics\n", 2, `date: "03/01/2026" is not a date like 2026-03-31`},
		{"impossible date", "ana@example.org,Ana,Ethics,2026-02-30,2,ethics\n", 2, "is not a date"},
		{"future date", "ana@example.org,Ana,Ethics,2026-11-24,2,ethics\n", 2, "date: 2026-11-24 is in the future"},
		{"ancient date", "ana@example.org,Ana,Ethics,1999-12-31,2,ethics\n", 2, "before 2000"},
		{"zero hours", "ana@example.org,Ana,Ethics,2026-03-01,0,ethics\n", 2, "hours: The hours must be more than 0"},
		{"negative hours", "ana@example.org,Ana,Ethics,2026-03-01,-1,ethics\n", 2, "hours: -1 hours is negative"},
		{"over 24 hours", "ana@example.org,Ana,Ethics,2026-03-01,24.25,ethics\n", 2, "more than 24 in one day"},
		{"not quarter hours", "ana@example.org,Ana,Ethics,2026-03-01,1.3,ethics\n", 2, `hours: "1.3" is not in quarter hours`},
		{"empty hours", "ana@example.org,Ana,Ethics,2026-03-01,,ethics\n", 2, "hours: Enter the hours"},
		{"words for hours", "ana@example.org,Ana,Ethics,2026-03-01,two,ethics\n", 2, "is not a number of hours"},
		{"exponent hours", "ana@example.org,Ana,Ethics,2026-03-01,1e1,ethics\n", 2, "is not a number of hours"},
		{"unknown category", "ana@example.org,Ana,Ethics,2026-03-01,2,yoga\n", 2, `category: "yoga" is not a category`},
		{"empty category", "ana@example.org,Ana,Ethics,2026-03-01,2,\n", 2, "category: Choose a category"},
		{"duplicate row", good + "ANA@example.org,Ana L,ETHICS,2026-03-01,2.0,Ethics\n", 3, "repeats line 2"},
		// Formula cells are text: they fail where text is not allowed.
		{"formula email", `"=HYPERLINK(""http://evil"")",Ana,Ethics,2026-03-01,2,ethics` + "\n", 2, "is not an email address"},
		{"formula date", "ana@example.org,Ana,Ethics,=TODAY(),2,ethics\n", 2, `"=TODAY()" is not a date`},
		{"formula hours plus", "ana@example.org,Ana,Ethics,2026-03-01,+2,ethics\n", 2, `"+2" is not a number of hours`},
		{"formula hours minus", "ana@example.org,Ana,Ethics,2026-03-01,-2+3,ethics\n", 2, "is not a number of hours"},
		{"formula at", "@SUM(A1),Ana,Ethics,2026-03-01,2,ethics\n", 2, "is not an email address"},
		{"formula category", "ana@example.org,Ana,Ethics,2026-03-01,2,=ethics\n", 2, "is not a category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := cefile.Parse(strings.NewReader(header+tt.body), today)
			if err != nil {
				t.Fatal(err)
			}
			if rows != nil {
				t.Errorf("rows returned despite errors: %+v", rows)
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %+v, want one", errs)
			}
			if errs[0].Line != tt.line || !strings.Contains(errs[0].Reason, tt.want) {
				t.Errorf("error = %+v, want line %d with %q", errs[0], tt.line, tt.want)
			}
		})
	}
}

func TestParseWholeFile(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		lines []int
		want  string
	}{
		{"empty", "", []int{0}, "The file is empty"},
		{"blank", " \n\n", []int{0}, "The file is empty"},
		{"header only", header, []int{0}, "no CE completions"},
		{"no header", "ana@example.org,Ana,Ethics,2026-03-01,2,ethics\n", []int{1}, "must be a header row"},
		{"missing column", "email,name,title,date,hours\n", []int{1}, "lacks the column(s) category"},
		{"duplicate column", "email,name,title,date,hours,category,email\n", []int{1}, `names the column "email" twice`},
		{"binary", "email\x00,name\n", []int{0}, "not a text file"},
		{"latin-1", header + "ana@example.org,Jos\xe9 P\xe9rez,Ethics,2026-03-01,2,ethics\n" +
			"ben@example.org,Ben,Ethics,2026-03-01,2,ethics\n" + "cy@example.org,Fran\xe7ois,Ethics,2026-03-01,2,ethics\n",
			[]int{2, 4}, "not valid UTF-8"},
		{"every bad line listed", header + "x,Ana,Ethics,2026-03-01,2,ethics\nana@example.org,Ana,Ethics,2026-03-01,2,ethics\ny,Ana,Ethics,2026-03-01,0,ethics\n",
			[]int{2, 4}, "email"},
		{"too large", header + strings.Repeat("a", cefile.MaxBytes), []int{0}, "larger than 2 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := cefile.Parse(strings.NewReader(tt.in), today)
			if err != nil {
				t.Fatal(err)
			}
			if rows != nil {
				t.Errorf("rows returned despite errors: %+v", rows)
			}
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
			}
			if len(errs) == 0 || !equal(lines, tt.lines) || !strings.Contains(errs[0].Reason, tt.want) {
				t.Errorf("errors = %+v, want lines %v with %q", errs, tt.lines, tt.want)
			}
		})
	}
}

func TestParseStopsAtMaxErrors(t *testing.T) {
	body := strings.Repeat("bad,Ana,Ethics,2026-03-01,2,ethics\n", cefile.MaxErrors+50)
	_, errs, err := cefile.Parse(strings.NewReader(header+body), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != cefile.MaxErrors+1 || !strings.Contains(errs[len(errs)-1].Reason, "checking stopped") {
		t.Errorf("got %d errors, last %+v", len(errs), errs[len(errs)-1])
	}
}

func TestCheckForm(t *testing.T) {
	row, fields := cefile.Check(cefile.Entry{Email: " Ana@Example.org ", Name: "Ana", Title: "Ethics 101",
		Date: "2026-05-01", Hours: "3", Category: "Ethics"}, today)
	if fields != nil || row.Email != "ana@example.org" || row.Hours != 3 || row.Category != peerboard.CEEthics {
		t.Errorf("Check = %+v, %v", row, fields)
	}
	_, fields = cefile.Check(cefile.Entry{}, today)
	for _, c := range cefile.Columns {
		if fields[c] == "" {
			t.Errorf("empty entry: no message for %s (%v)", c, fields)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
