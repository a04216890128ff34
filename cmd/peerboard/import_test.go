package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

func TestImportExamResultsCommand(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// An approved applicant with an authorization, written directly.
	_, err = db.Pool.Exec(ctx, `
		WITH u AS (INSERT INTO users (email, name, role, password_hash) VALUES ('c@example.org', 'C', 'applicant', 'x') RETURNING id),
		     a AS (INSERT INTO applications (applicant_id, credential_type_id, pathway, status, first_name, last_name)
		           SELECT u.id, t.id, 'standard', 'approved', 'Cy', 'Doe' FROM u, credential_types t WHERE t.code = 'CPSRP' RETURNING id, applicant_id, credential_type_id)
		INSERT INTO exam_authorizations (application_id, user_id, credential_type_id, candidate_id, valid_from, valid_until)
		SELECT id, applicant_id, credential_type_id, 'CPSRP0000042', DATE '2020-01-01', DATE '2100-01-01' FROM a`)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	header := "candidate_id,exam_date,exam_form,scaled_score,result\n"

	var out bytes.Buffer
	bad := write("bad.csv", header+"CPSRP0000042,2021-02-03,A,500,pass\nCPSRP0000042,not-a-date,A,500,pass\nNOBODY1,2021-02-03,A,1,fail\n")
	if err := run(ctx, []string{"import", "exam-results", bad}, getenv, nil, &out); err == nil {
		t.Fatal("a file with a bad row was accepted")
	}
	if !strings.Contains(out.String(), "line 3: exam_date") {
		t.Errorf("output does not list line 3:\n%s", out.String())
	}

	out.Reset()
	good := write("good.csv", header+"CPSRP0000042,2021-02-03,A,500,pass\n")
	if err := run(ctx, []string{"import", "exam-results", good}, getenv, nil, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 new result(s)") || !strings.Contains(out.String(), "credentials issued") {
		t.Errorf("summary:\n%s", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"import", "exam-results", good}, getenv, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 new result(s)") || !strings.Contains(out.String(), "imported before") {
		t.Errorf("re-import summary:\n%s", out.String())
	}

	if err := run(ctx, []string{"import", "exam-results"}, getenv, nil, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("missing FILE: %v", err)
	}
}
