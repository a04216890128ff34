package examfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/examfile"
	"github.com/peerboard/peerboard/internal/peerboard"
)

var today = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

const header = "candidate_id,exam_date,exam_form,scaled_score,result\n"

func TestParseValid(t *testing.T) {
	in := "\uFEFFResult, Scaled_Score ,EXAM_FORM,exam_date,Candidate_ID,extra\r\n" +
		"PASS,512,A-2026,2026-11-23,cpsrp0000001,ignored\r\n" +
		"no_show,0,A-2026,2026-01-02,CPSRP0000002,\r\n" +
		"Fail,299,B.1,2026-01-02,CPSRP0000001,x\r\n"
	rows, errs, err := examfile.Parse(strings.NewReader(in), today)
	if err != nil || len(errs) > 0 {
		t.Fatalf("Parse: errs %v, err %v", errs, err)
	}
	want := []examfile.Row{
		{Line: 2, CandidateID: "CPSRP0000001", ExamDate: day(2026, 11, 23), ExamForm: "A-2026", ScaledScore: 512, Outcome: peerboard.ExamPass},
		{Line: 3, CandidateID: "CPSRP0000002", ExamDate: day(2026, 1, 2), ExamForm: "A-2026", ScaledScore: 0, Outcome: peerboard.ExamNoShow},
		{Line: 4, CandidateID: "CPSRP0000001", ExamDate: day(2026, 1, 2), ExamForm: "B.1", ScaledScore: 299, Outcome: peerboard.ExamFail},
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

func TestParseRejects(t *testing.T) {
	big := header + strings.Repeat("CPSRP0000001,2026-01-02,A,500,pass\n", examfile.MaxBytes/30)
	tests := []struct {
		name string
		in   string
		line int    // line of the first error
		want string // part of its reason
	}{
		{"empty file", "", 0, "empty"},
		{"only blank lines", "\n\n  \n", 0, "empty"},
		{"header only", header, 0, "no results"},
		{"missing header", "CPSRP0000001,2026-01-02,A,500,pass\n", 1, "header row naming"},
		{"header lacks a column", "candidate_id,exam_date,exam_form,result\nX1,2026-01-02,A,pass\n", 1, "scaled_score"},
		{"header repeats a column", "candidate_id,exam_date,exam_form,scaled_score,result,Result\n", 1, "twice"},
		{"binary", "PK\x03\x04\x00\x00binary", 0, "not a text file"},
		{"invalid UTF-8", header + "CPSRP0000001,2026-01-02,A,500,pass\nCPSRP0000002,2026-01-02,\xff\xfe,500,pass\n", 3, "UTF-8"},
		{"too large", big, 0, "larger than 2 MiB"},
		{"too few columns", header + "CPSRP0000001,2026-01-02,A,500\n", 2, "4 columns; the header has 5"},
		{"too many columns", header + "CPSRP0000001,2026-01-02,A,500,pass,x\n", 2, "6 columns"},
		{"bad quotes", header + "CPSRP0000001,2026-01-02,\"A\"x,500,pass\n", 2, "quotes"},
		{"empty candidate", header + ",2026-01-02,A,500,pass\n", 2, "candidate_id (empty)"},
		{"candidate with symbols", header + "CPSRP-001,2026-01-02,A,500,pass\n", 2, "candidate_id"},
		{"formula as candidate", header + "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",2026-01-02,A,500,pass\n", 2, "=HYPERLINK"},
		{"formula as form", header + "CPSRP0000001,2026-01-02,=1+2,500,pass\n", 2, "exam_form \"=1+2\""},
		{"formula as score", header + "CPSRP0000001,2026-01-02,A,=999,pass\n", 2, "scaled_score \"=999\""},
		{"at-sign as result", header + "CPSRP0000001,2026-01-02,A,500,@SUM(A1)\n", 2, "result \"@SUM(A1)\""},
		{"malformed date", header + "CPSRP0000001,02/01/2026,A,500,pass\n", 2, "not a date"},
		{"impossible date", header + "CPSRP0000001,2026-02-30,A,500,pass\n", 2, "not a date"},
		{"future date", header + "CPSRP0000001,2026-11-24,A,500,pass\n", 2, "in the future"},
		{"ancient date", header + "CPSRP0000001,1999-12-31,A,500,pass\n", 2, "before 2000"},
		{"negative score", header + "CPSRP0000001,2026-01-02,A,-1,pass\n", 2, "scaled_score"},
		{"score too high", header + "CPSRP0000001,2026-01-02,A,1000,pass\n", 2, "0 to 999"},
		{"decimal score", header + "CPSRP0000001,2026-01-02,A,500.5,pass\n", 2, "scaled_score"},
		{"empty score", header + "CPSRP0000001,2026-01-02,A,,pass\n", 2, "scaled_score (empty)"},
		{"bad result", header + "CPSRP0000001,2026-01-02,A,500,passed\n", 2, "not pass, fail or no_show"},
		{"duplicate row", header + "CPSRP0000001,2026-01-02,A,500,pass\ncpsrp0000001,2026-01-02,A,400,fail\n", 3, "repeats line 2"},
		{"error after good rows", header + "CPSRP0000001,2026-01-02,A,500,pass\nCPSRP0000002,2026-01-02,A,500,maybe\n", 3, "result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := examfile.Parse(strings.NewReader(tt.in), today)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if len(rows) != 0 {
				t.Errorf("got %d rows with errors present; want none", len(rows))
			}
			if len(errs) == 0 {
				t.Fatal("no row errors")
			}
			if errs[0].Line != tt.line || !strings.Contains(errs[0].Reason, tt.want) {
				t.Errorf("first error = line %d %q; want line %d containing %q", errs[0].Line, errs[0].Reason, tt.line, tt.want)
			}
		})
	}
}

func TestParseListsEveryBadLine(t *testing.T) {
	in := header +
		"CPSRP0000001,2026-01-02,A,500,pass\n" +
		"CPSRP0000002,yesterday,A,500,pass\n" +
		"CPSRP0000003,2026-01-02,A,500,pass\n" +
		"CPSRP0000004,2026-01-02,A,abc,maybe\n"
	_, errs, err := examfile.Parse(strings.NewReader(in), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Line != 3 || errs[1].Line != 5 {
		t.Fatalf("errs = %+v; want lines 3 and 5", errs)
	}
	if !strings.Contains(errs[1].Reason, "scaled_score") || !strings.Contains(errs[1].Reason, "result") {
		t.Errorf("line 5 reason %q should name both bad cells", errs[1].Reason)
	}
}

func TestParseStopsAtMaxErrors(t *testing.T) {
	in := header + strings.Repeat("x,y,z,w,v\n", examfile.MaxErrors+50)
	_, errs, err := examfile.Parse(strings.NewReader(in), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != examfile.MaxErrors+1 || errs[len(errs)-1].Line != 0 {
		t.Errorf("got %d errors; want %d and a closing note", len(errs), examfile.MaxErrors+1)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
