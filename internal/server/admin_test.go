package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/examfile"
	"github.com/peerboard/peerboard/internal/peerboard"
)

// examAuthorizationFixture gives a new applicant an approved standard
// application and an exam authorization valid around app.now, with plain SQL.
func (a *testApp) examAuthorizationFixture(email, candidate string) *peerboard.User {
	a.t.Helper()
	u := a.createUser(peerboard.RoleApplicant, email, nil)
	_, err := a.db.Pool.Exec(context.Background(), `
		WITH app AS (
			INSERT INTO applications (applicant_id, credential_type_id, pathway, status, first_name, last_name, lived_experience)
			SELECT $1, id, 'standard', 'approved', 'Ada', 'Lovelace', 'self' FROM credential_types WHERE code = 'CPSRP'
			RETURNING id, credential_type_id)
		INSERT INTO exam_authorizations (application_id, user_id, credential_type_id, candidate_id, valid_from, valid_until)
		SELECT id, $1, credential_type_id, $2, $3::date - 100, $3::date + 100 FROM app`, u.ID, candidate, a.now)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// upload posts a multipart form with one file part, as a same-origin
// browser would. A nil size hint sends the body chunked (no Content-Length).
func (c *client) upload(path, field, filename string, data []byte, chunked bool) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		c.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	var r io.Reader = bytes.NewReader(body.Bytes())
	if chunked {
		r = io.MultiReader(r) // hides the length, so the request is chunked
	}
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.app.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

const examHeader = "candidate_id,exam_date,exam_form,scaled_score,result\n"

func TestAdminExamRoutesAreForAdminsOnly(t *testing.T) {
	app := newTestApp(t)
	app.trainingOrgFixture("Org", "trainer@example.org", false)
	app.createUser(peerboard.RoleApplicant, "applicant@example.org", nil)
	app.createUser(peerboard.RoleReviewer, "reviewer@example.org", nil)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	app.examAuthorizationFixture("holder@example.org", "CPSRP0000001")
	file := []byte(examHeader + "CPSRP0000001,2026-11-20,A,600,pass\n")

	anon := app.client()
	res := anon.get("/admin/exams")
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.HasPrefix(res.Location(), "/login") {
		t.Errorf("anonymous redirected to %q", res.Location())
	}
	wantStatus(t, anon.upload("/admin/exams", "file", "r.csv", file, false), http.StatusUnauthorized)
	for _, email := range []string{"applicant@example.org", "trainer@example.org", "reviewer@example.org"} {
		t.Run(email, func(t *testing.T) {
			c := app.client().login(email)
			wantStatus(t, c.get("/admin/exams"), http.StatusForbidden)
			wantStatus(t, c.upload("/admin/exams", "file", "r.csv", file, false), http.StatusForbidden)
		})
	}
	if n := app.examCount(`SELECT count(*) FROM exam_imports`); n != 0 {
		t.Errorf("%d imports by refused requests", n)
	}
	wantStatus(t, app.client().login("admin@example.org").get("/admin/exams"), http.StatusOK)
}

func TestAdminImportsExamResults(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleAdmin, "admin@example.org", nil)
	holder := app.examAuthorizationFixture("holder@example.org", "CPSRP0000001")
	app.examAuthorizationFixture("failer@example.org", "CPSRP0000002")
	c := app.client().login("admin@example.org")

	page := c.get("/admin/exams")
	wantStatus(t, page, http.StatusOK)
	if page.Doc.Find("form[enctype='multipart/form-data'] input[type=file]#file").Length() != 1 || page.Doc.Find("label[for=file]").Length() != 1 {
		t.Error("no labelled upload form")
	}

	file := []byte(examHeader + "CPSRP0000001,2026-11-20,A,600,pass\nCPSRP0000002,2026-11-20,A,200,fail\n")
	res := c.upload("/admin/exams", "file", "vendor-results.csv", file, false)
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("#import-summary"); !strings.Contains(got, "2 new result(s)") {
		t.Errorf("summary = %q", got)
	}
	if res.Doc.Find("#issued tbody tr:contains('CPSRP0000001')").Length() != 1 {
		t.Error("the issued credential is not listed")
	}
	if n := app.examCount(`SELECT count(*) FROM credentials WHERE user_id = $1 AND status = 'active'`, holder.ID); n != 1 {
		t.Errorf("%d credentials for the holder, want 1", n)
	}
	if res.Doc.Find("table caption:contains('Imported results files') ~ tbody th:contains('vendor-results.csv')").Length() != 1 {
		t.Error("the import is not listed among past imports")
	}

	t.Run("the same file again", func(t *testing.T) {
		res := c.upload("/admin/exams", "file", "vendor-results.csv", file, false)
		wantStatus(t, res, http.StatusOK)
		if got := res.Text("#import-summary"); !strings.Contains(got, "0 new result(s)") || !strings.Contains(got, "Nothing changed") {
			t.Errorf("summary = %q", got)
		}
		if !strings.Contains(res.Text(".usa-alert--success"), "imported before") {
			t.Error("the page does not say the file was imported before")
		}
		if n := app.examCount(`SELECT count(*) FROM exam_results`); n != 2 {
			t.Errorf("%d results, want 2", n)
		}
		if n := app.examCount(`SELECT attempts FROM exam_authorizations WHERE candidate_id = 'CPSRP0000002'`); n != 1 {
			t.Errorf("attempts = %d after re-import, want 1", n)
		}
	})

	t.Run("bad rows", func(t *testing.T) {
		bad := []byte(examHeader +
			"CPSRP0000002,2026-11-21,B,250,fail\n" +
			"CPSRP0000002,2026-13-01,B,250,fail\n" +
			"UNKNOWN0000009,2026-11-21,B,250,fail\n" +
			"\"=HYPERLINK(\"\"http://x.example\"\")\",2026-11-21,B,250,fail\n")
		res := c.upload("/admin/exams", "file", "bad.csv", bad, false)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		rows := res.Doc.Find("#row-errors tbody tr")
		if rows.Length() != 2 {
			t.Fatalf("%d rows listed, want 2 (file checks stop before the database check): %s", rows.Length(), rows.Text())
		}
		if !strings.Contains(rows.Eq(0).Text(), "Line 3") || !strings.Contains(rows.Eq(1).Text(), "Line 5") {
			t.Errorf("rows = %q", rows.Text())
		}
		// Once the file is well formed, unknown candidates are listed too.
		res = c.upload("/admin/exams", "file", "bad.csv", []byte(examHeader+"CPSRP0000002,2026-11-21,B,250,fail\nUNKNOWN0000009,2026-11-21,B,250,fail\n"), false)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := res.Text("#row-errors tbody tr"); !strings.Contains(got, "Line 3") || !strings.Contains(got, "UNKNOWN0000009") {
			t.Errorf("unknown candidate row = %q", got)
		}
		if n := app.examCount(`SELECT count(*) FROM exam_results`); n != 2 {
			t.Errorf("%d results after refused files, want 2", n)
		}
	})

	t.Run("binary file", func(t *testing.T) {
		res := c.upload("/admin/exams", "file", "results.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), false)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Text(".usa-alert--error"), "not a CSV text file") {
			t.Errorf("alert = %q", res.Text(".usa-alert--error"))
		}
	})

	t.Run("no file chosen", func(t *testing.T) {
		res := c.upload("/admin/exams", "file", "", nil, false)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.Text(".usa-alert--error"), "Choose the results file") {
			t.Errorf("alert = %q", res.Text(".usa-alert--error"))
		}
	})

	t.Run("not multipart", func(t *testing.T) {
		wantStatus(t, c.post("/admin/exams", url.Values{"file": {"x"}}), http.StatusBadRequest)
	})

	for _, chunked := range []bool{false, true} {
		name := map[bool]string{false: "oversized file", true: "oversized file without a length"}[chunked]
		t.Run(name, func(t *testing.T) {
			big := bytes.Repeat([]byte("CPSRP0000001,2026-11-20,A,600,pass\n"), examfile.MaxBytes/30)
			res := c.upload("/admin/exams", "file", "big.csv", append([]byte(examHeader), big...), chunked)
			wantStatus(t, res, http.StatusRequestEntityTooLarge)
			if !strings.Contains(res.Body, "larger than 2 MiB") {
				t.Errorf("413 page does not explain the limit: %q", res.Text("main"))
			}
		})
	}
	if n := app.examCount(`SELECT count(*) FROM exam_imports`); n != 2 {
		t.Errorf("%d imports stored, want 2", n)
	}
}
