package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// cePDF is the smallest body the upload sniffer accepts as a PDF.
var cePDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// ceGrantCredential gives u an active CPSRP credential issued 2025-06-01,
// expiring 2027-06-01, so the current cycle runs 2025-06-01 to 2027-06-01.
func ceGrantCredential(a *testApp, u *peerboard.User) {
	a.t.Helper()
	ctx := context.Background()
	var seq int64
	var prefix string
	if err := a.db.Pool.QueryRow(ctx, `SELECT nextval('credential_number_seq'), number_prefix FROM credential_types WHERE code = 'CPSRP'`).
		Scan(&seq, &prefix); err != nil {
		a.t.Fatal(err)
	}
	_, err := a.db.Pool.Exec(ctx, `
		INSERT INTO credentials (number, user_id, credential_type_id, status, first_name, last_name, issued_on, expires_on)
		SELECT $1, $2, id, 'active', 'Test', 'Holder', '2025-06-01', '2027-06-01' FROM credential_types WHERE code = 'CPSRP'`,
		peerboard.FormatCredentialNumber(prefix, seq), u.ID)
	if err != nil {
		a.t.Fatalf("insert credential: %v", err)
	}
}

// ceHolderClient creates a holder with a credential and signs them in.
func ceHolderClient(a *testApp, email string) (*client, *peerboard.User) {
	a.t.Helper()
	u := a.createUser(peerboard.RoleApplicant, email, nil)
	ceGrantCredential(a, u)
	return a.client().login(email), u
}

// ceTrainerClient creates an approved organization and its trainer, signed in.
func ceTrainerClient(a *testApp, org, email string) (*client, int64) {
	a.t.Helper()
	orgID, err := a.db.EnsureDemoOrganization(context.Background(), org, a.db.Today())
	if err != nil {
		a.t.Fatal(err)
	}
	a.createUser(peerboard.RoleTrainer, email, &orgID)
	return a.client().login(email), orgID
}

type ceFile struct {
	field, name string
	data        []byte
}

// postMultipart submits a multipart form (with an optional file) as a same-origin browser would.
func (c *client) postMultipart(path string, form url.Values, file *ceFile) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile(file.field, file.name)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = fw.Write(file.data)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.app.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func ceCount(t *testing.T, a *testApp, where string, args ...any) int {
	t.Helper()
	var n int
	if err := a.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ceActivity() url.Values {
	return url.Values{"title": {"Ethics in peer work"}, "provider": {"State conference"}, "date": {"2026-10-02"},
		"hours": {"3"}, "category": {"ethics"}}
}

func TestHolderLogsCE(t *testing.T) {
	app := newTestApp(t)
	c, holder := ceHolderClient(app, "holder@example.org")

	res := c.get("/ce")
	wantStatus(t, res, http.StatusOK)
	if got := res.Text(".pb-ce-total"); !strings.Contains(got, "0 of 20 hours") {
		t.Errorf("progress before = %q", got)
	}
	if got := res.Text(".pb-days-left"); !strings.Contains(got, "190 days until it expires on June 1, 2027") {
		t.Errorf("days left = %q", got)
	}
	wantStatus(t, c.get("/ce/new"), http.StatusOK)

	res = c.postMultipart("/ce/new", ceActivity(), &ceFile{"proof", "certificate.pdf", cePDF})
	wantStatus(t, res, http.StatusSeeOther)
	if res.Location() != "/ce" {
		t.Errorf("redirect to %q", res.Location())
	}
	res = c.get("/ce")
	if got := res.Text(".usa-alert--success"); !strings.Contains(got, "Ethics in peer work") {
		t.Errorf("flash = %q", got)
	}
	if got := res.Text(".pb-ce-total"); !strings.Contains(got, "3 of 20 hours") || !strings.Contains(got, "3 of 3 in ethics") {
		t.Errorf("progress after = %q", got)
	}
	if got := res.Text(".pb-ce-missing"); !strings.Contains(got, "17 more hours needed") {
		t.Errorf("missing = %q", got)
	}
	row := res.Doc.Find("table[aria-labelledby=activities-heading] tbody tr")
	if row.Length() != 1 || !strings.Contains(row.Text(), "Self-reported") {
		t.Fatalf("activity rows = %d: %q", row.Length(), row.Text())
	}
	href, ok := row.Find("a[href^='/files/']").Attr("href")
	if !ok {
		t.Fatal("no proof link")
	}
	dl := c.get(href)
	wantStatus(t, dl, http.StatusOK)
	if dl.Body != string(cePDF) {
		t.Errorf("downloaded %q", dl.Body)
	}
	if n := ceCount(t, app, `audit_events WHERE action = 'ce.logged' AND actor_id = $1`, holder.ID); n != 1 {
		t.Errorf("ce.logged events = %d", n)
	}

	// A verified CE posted by an organization shows as verified and counts.
	tc, _ := ceTrainerClient(app, "Org One", "trainer@example.org")
	wantStatus(t, tc.post("/trainer/ce/new", url.Values{"email": {"holder@example.org"}, "name": {"Holder"},
		"title": {"Recovery planning"}, "date": {"2026-11-01"}, "hours": {"17"}, "category": {"core_competencies"}}), http.StatusSeeOther)
	res = c.get("/ce")
	if res.Doc.Find(".pb-ce-met").Length() != 1 || !strings.Contains(res.Text("table[aria-labelledby=activities-heading]"), "Verified") {
		t.Errorf("after a verified post: met %d, table %q", res.Doc.Find(".pb-ce-met").Length(), res.Text("table[aria-labelledby=activities-heading]"))
	}
}

func TestHolderCEBadInput(t *testing.T) {
	app := newTestApp(t)
	c, _ := ceHolderClient(app, "holder@example.org")
	tests := []struct {
		name  string
		edit  func(url.Values)
		file  *ceFile
		field string
		want  string
	}{
		{"zero hours", func(v url.Values) { v.Set("hours", "0") }, nil, "hours", "more than 0"},
		{"negative hours", func(v url.Values) { v.Set("hours", "-2") }, nil, "hours", "negative"},
		{"over 24 hours", func(v url.Values) { v.Set("hours", "24.5") }, nil, "hours", "more than 24"},
		{"not quarter hours", func(v url.Values) { v.Set("hours", "1.1") }, nil, "hours", "quarter hours"},
		{"future date", func(v url.Values) { v.Set("date", "2026-11-24") }, nil, "date", "future"},
		{"outside the cycle", func(v url.Values) { v.Set("date", "2025-05-31") }, nil, "date", "within the current cycle"},
		{"bad date", func(v url.Values) { v.Set("date", "yesterday") }, nil, "date", "2026-03-31"},
		{"unknown category", func(v url.Values) { v.Set("category", "yoga") }, nil, "category", "Choose a category"},
		{"empty title", func(v url.Values) { v.Set("title", " ") }, nil, "title", "Required"},
		{"empty file", func(url.Values) {}, &ceFile{"proof", "proof.pdf", nil}, "proof", "empty"},
		{"wrong type", func(url.Values) {}, &ceFile{"proof", "proof.docx", []byte("PK\x03\x04 a word file")}, "proof", "PDF, PNG or JPEG"},
		{"html named pdf", func(url.Values) {}, &ceFile{"proof", "proof.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script>")}, "proof", "markup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := ceActivity()
			form.Set("title", "Course "+tt.name)
			tt.edit(form)
			res := c.postMultipart("/ce/new", form, tt.file)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if got := res.Text("#" + tt.field + "-error"); !strings.Contains(got, tt.want) {
				t.Errorf("%s error = %q, want %q", tt.field, got, tt.want)
			}
			if res.Doc.Find(".usa-alert--error a[href='#"+tt.field+"']").Length() != 1 {
				t.Errorf("error summary does not link to #%s", tt.field)
			}
			// The input is kept.
			if v, _ := res.Doc.Find("#provider").Attr("value"); v != "State conference" {
				t.Errorf("provider kept as %q", v)
			}
			if tt.file != nil && !strings.Contains(res.Text(".usa-alert--error"), "Choose your proof file again") {
				t.Errorf("no notice to choose the file again: %q", res.Text(".usa-alert--error"))
			}
		})
	}
	if n := ceCount(t, app, `ce_activities`); n != 0 {
		t.Errorf("bad input stored %d activities", n)
	}
	if n := ceCount(t, app, `stored_files`); n != 0 {
		t.Errorf("bad input stored %d files", n)
	}

	t.Run("file over 10 MB", func(t *testing.T) {
		big := append(append([]byte{}, cePDF[:9]...), bytes.Repeat([]byte("x"), peerboard.MaxUploadBytes+1)...)
		res := c.postMultipart("/ce/new", ceActivity(), &ceFile{"proof", "big.pdf", big})
		wantStatus(t, res, http.StatusRequestEntityTooLarge)
		if !strings.Contains(res.Text("main"), "The file is larger than 10 MB") {
			t.Errorf("413 page says %q", res.Text("main"))
		}
	})
	t.Run("body far over the limit", func(t *testing.T) {
		res := c.postMultipart("/ce/new", ceActivity(), &ceFile{"proof", "huge.pdf", bytes.Repeat([]byte("x"), 12<<20)})
		wantStatus(t, res, http.StatusRequestEntityTooLarge)
		if !strings.Contains(res.Text("main"), "The file is larger than 10 MB") {
			t.Errorf("413 page says %q", res.Text("main"))
		}
	})
	t.Run("same activity twice", func(t *testing.T) {
		wantStatus(t, c.postMultipart("/ce/new", ceActivity(), nil), http.StatusSeeOther)
		res := c.postMultipart("/ce/new", ceActivity(), nil)
		wantStatus(t, res, http.StatusConflict)
		if !strings.Contains(res.Text(".usa-alert--error"), "You already logged this activity") {
			t.Errorf("duplicate message = %q", res.Text(".usa-alert--error"))
		}
		if n := ceCount(t, app, `ce_activities`); n != 1 {
			t.Errorf("activities = %d, want 1", n)
		}
	})
	t.Run("not multipart", func(t *testing.T) {
		res := c.post("/ce/new", ceActivity())
		wantStatus(t, res, http.StatusBadRequest)
	})
}

func TestHolderWithoutCredential(t *testing.T) {
	app := newTestApp(t)
	app.createUser(peerboard.RoleApplicant, "new@example.org", nil)
	c := app.client().login("new@example.org")
	for _, path := range []string{"/ce", "/ce/new"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Text("#no-credential-heading"), "You do not hold a credential yet") {
			t.Errorf("%s: no explanation", path)
		}
		if res.Doc.Find("form[action='/ce/new']").Length() != 0 {
			t.Errorf("%s shows the form", path)
		}
	}
	res := c.postMultipart("/ce/new", ceActivity(), nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if n := ceCount(t, app, `ce_activities`); n != 0 {
		t.Errorf("stored %d activities", n)
	}
}

func TestTrainerPostsCE(t *testing.T) {
	app := newTestApp(t)
	tc, _ := ceTrainerClient(app, "Org One", "t1@example.org")
	good := url.Values{"email": {"Ana@Example.org"}, "name": {"Ana Lopez"}, "title": {"Boundaries"},
		"date": {"2026-09-01"}, "hours": {"2.5"}, "category": {"ethics"}}

	wantStatus(t, tc.get("/trainer/ce/new"), http.StatusOK)
	res := tc.post("/trainer/ce/new", good)
	wantStatus(t, res, http.StatusSeeOther)
	res = tc.get("/trainer/ce")
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("table[aria-labelledby=posted-heading] tbody"); !strings.Contains(got, "ana@example.org") || !strings.Contains(got, "Not linked to an account yet") {
		t.Errorf("posted list = %q", got)
	}
	if n := ceCount(t, app, `ce_activities WHERE source = 'verified' AND provider = 'Org One' AND person_email = 'ana@example.org'`); n != 1 {
		t.Errorf("stored = %d", n)
	}
	if n := ceCount(t, app, `audit_events WHERE action = 'ce.posted'`); n != 1 {
		t.Errorf("ce.posted events = %d", n)
	}

	res = tc.post("/trainer/ce/new", good)
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Text(".usa-alert--error"), "already recorded") {
		t.Errorf("twice: %q", res.Text(".usa-alert--error"))
	}

	bad := []struct{ field, value, want string }{
		{"hours", "0", "more than 0"},
		{"hours", "-1", "negative"},
		{"hours", "25", "more than 24"},
		{"hours", "0.3", "quarter hours"},
		{"date", "2026-11-24", "future"},
		{"category", "yoga", "not a category"},
		{"email", "=HYPERLINK(\"x\")", "not an email"},
	}
	for _, b := range bad {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(b.field, b.value)
		res := tc.post("/trainer/ce/new", form)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := res.Text("#" + b.field + "-error"); !strings.Contains(got, b.want) {
			t.Errorf("%s=%q: error %q, want %q", b.field, b.value, got, b.want)
		}
		if v, _ := res.Doc.Find("#name").Attr("value"); v != "Ana Lopez" {
			t.Errorf("name kept as %q", v)
		}
	}
	if n := ceCount(t, app, `ce_activities`); n != 1 {
		t.Errorf("bad posts stored: %d", n)
	}
}

func TestTrainerRoster(t *testing.T) {
	app := newTestApp(t)
	tc, _ := ceTrainerClient(app, "Org One", "t1@example.org")
	tc2, _ := ceTrainerClient(app, "Org Two", "t2@example.org")
	holder := app.createUser(peerboard.RoleApplicant, "ana@example.org", nil)

	roster := "Email,Name,Title,Date,Hours,Category\n" +
		"ana@example.org,Ana,Ethics day,2026-03-01,6,ethics\n" +
		"ben@example.org,\"=HYPERLINK(\"\"http://evil\"\")\",Ethics day,2026-03-01,6,ethics\n" +
		"cy@example.org,Cy,Ethics day,2026-03-01,6,ethics\n"
	res := tc.postMultipart("/trainer/ce/roster", nil, &ceFile{"roster", "march.csv", []byte(roster)})
	wantStatus(t, res, http.StatusSeeOther)
	res = tc.get("/trainer/ce")
	if got := res.Text(".usa-alert--success"); !strings.Contains(got, "3 rows, 3 new") {
		t.Errorf("flash = %q", got)
	}
	if got := res.Text("table[aria-labelledby=posted-heading] tbody"); !strings.Contains(got, `=HYPERLINK("http://evil")`) {
		t.Errorf("formula name not shown as text: %q", got)
	}
	if n := ceCount(t, app, `ce_activities WHERE user_id = $1`, holder.ID); n != 1 {
		t.Errorf("attached to Ana: %d", n)
	}

	res = tc.postMultipart("/trainer/ce/roster", nil, &ceFile{"roster", "march.csv", []byte(roster)})
	wantStatus(t, res, http.StatusSeeOther)
	if got := tc.get("/trainer/ce").Text(".usa-alert--success"); !strings.Contains(got, "0 new, 3 already recorded") {
		t.Errorf("re-post flash = %q", got)
	}
	if n := ceCount(t, app, `ce_activities`); n != 3 {
		t.Errorf("after re-post: %d activities", n)
	}

	// Another organization sees none of them.
	if got := tc2.get("/trainer/ce").Doc.Find("table[aria-labelledby=posted-heading] tbody tr").Length(); got != 0 {
		t.Errorf("org two sees %d rows", got)
	}

	tests := []struct {
		name   string
		data   string
		status int
		lines  []string
		want   string
	}{
		{"bad rows", "email,name,title,date,hours,category\n" +
			"dan@example.org,Dan,Day two,2026-03-02,2,ethics\n" +
			"not-an-email,Eve,Day two,2026-03-02,2,ethics\n" +
			"fay@example.org,Fay,Day two,2026-03-02,1.1,ethics\n" +
			"dan@example.org,Dan,Day two,2026-03-02,2,ethics\n",
			http.StatusUnprocessableEntity, []string{"Line 3", "Line 4", "Line 5"}, "is not an email address"},
		{"wrong column count", "email,name,title,date,hours,category\ndan@example.org,Dan\n",
			http.StatusUnprocessableEntity, []string{"Line 2"}, "has 2 columns"},
		{"latin-1", "email,name,title,date,hours,category\ndan@example.org,Jos\xe9,Day,2026-03-02,2,ethics\n",
			http.StatusUnprocessableEntity, []string{"Line 2"}, "not valid UTF-8"},
		{"no header", "dan@example.org,Dan,Day,2026-03-02,2,ethics\n",
			http.StatusUnprocessableEntity, []string{"Line 1"}, "header row"},
		{"empty", "", http.StatusUnprocessableEntity, []string{"Whole file"}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tc.postMultipart("/trainer/ce/roster", nil, &ceFile{"roster", "bad.csv", []byte(tt.data)})
			wantStatus(t, res, tt.status)
			var lines []string
			res.Doc.Find(".pb-roster-errors tbody th").Each(func(_ int, s *goquery.Selection) { lines = append(lines, s.Text()) })
			if strings.Join(lines, ",") != strings.Join(tt.lines, ",") {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
			if !strings.Contains(res.Text(".pb-roster-errors"), tt.want) {
				t.Errorf("errors = %q, want %q", res.Text(".pb-roster-errors"), tt.want)
			}
		})
	}
	if n := ceCount(t, app, `ce_activities`); n != 3 {
		t.Errorf("bad rosters stored rows: %d", n)
	}

	res = tc.postMultipart("/trainer/ce/roster", nil, &ceFile{"roster", "big.csv", bytes.Repeat([]byte("a"), 2<<20+1)})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.Text("main"), "larger than 2 MB") {
		t.Errorf("413 says %q", res.Text("main"))
	}
	res = tc.postMultipart("/trainer/ce/roster", nil, nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Text(".usa-alert--error"), "Choose a CSV file") {
		t.Errorf("no file: %q", res.Text(".usa-alert--error"))
	}
}

func TestCERoutesByRole(t *testing.T) {
	app := newTestApp(t)
	orgID, err := app.db.EnsureDemoOrganization(context.Background(), "Org", app.db.Today())
	if err != nil {
		t.Fatal(err)
	}
	users := map[peerboard.Role]string{
		peerboard.RoleApplicant: "applicant@example.org",
		peerboard.RoleTrainer:   "trainer@example.org",
		peerboard.RoleReviewer:  "reviewer@example.org",
		peerboard.RoleAdmin:     "admin@example.org",
	}
	clients := map[peerboard.Role]*client{}
	for role, email := range users {
		var org *int64
		if role == peerboard.RoleTrainer {
			org = &orgID
		}
		app.createUser(role, email, org)
		clients[role] = app.client().login(email)
	}
	routes := []struct {
		method, path string
		allowed      peerboard.Role
	}{
		{http.MethodGet, "/ce", peerboard.RoleApplicant},
		{http.MethodGet, "/ce/new", peerboard.RoleApplicant},
		{http.MethodPost, "/ce/new", peerboard.RoleApplicant},
		{http.MethodGet, "/trainer/ce", peerboard.RoleTrainer},
		{http.MethodGet, "/trainer/ce/new", peerboard.RoleTrainer},
		{http.MethodPost, "/trainer/ce/new", peerboard.RoleTrainer},
		{http.MethodPost, "/trainer/ce/roster", peerboard.RoleTrainer},
	}
	for _, rt := range routes {
		for role, c := range clients {
			if role == rt.allowed {
				continue
			}
			var res *response
			if rt.method == http.MethodGet {
				res = c.get(rt.path)
			} else {
				res = c.post(rt.path, url.Values{"title": {"x"}})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", rt.method, rt.path, role, res.StatusCode)
			}
		}
		anon := app.client()
		if rt.method == http.MethodGet {
			res := anon.get(rt.path)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login?next=") {
				t.Errorf("anonymous GET %s: %d to %q", rt.path, res.StatusCode, res.Location())
			}
		} else if res := anon.post(rt.path, url.Values{}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST %s: %d, want 401", rt.path, res.StatusCode)
		}
		for _, want := range []string{rt.path} {
			if p, ok := app.srv.PolicyOf(rt.method, want); !ok || p == "" {
				t.Errorf("%s %s has no declared policy", rt.method, want)
			}
		}
	}
	// The allowed role reaches each GET page.
	wantStatus(t, clients[peerboard.RoleApplicant].get("/ce"), http.StatusOK)
	wantStatus(t, clients[peerboard.RoleTrainer].get("/trainer/ce"), http.StatusOK)
	wantStatus(t, clients[peerboard.RoleTrainer].get("/trainer/ce/new"), http.StatusOK)
}

func TestHolderSeesOnlyOwnCE(t *testing.T) {
	app := newTestApp(t)
	c1, _ := ceHolderClient(app, "one@example.org")
	c2, _ := ceHolderClient(app, "two@example.org")
	wantStatus(t, c1.postMultipart("/ce/new", ceActivity(), nil), http.StatusSeeOther)
	if n := c2.get("/ce").Doc.Find("table[aria-labelledby=activities-heading] tbody tr").Length(); n != 0 {
		t.Errorf("holder two sees %d of holder one's activities", n)
	}
	if n := c1.get("/ce").Doc.Find("table[aria-labelledby=activities-heading] tbody tr").Length(); n != 1 {
		t.Errorf("holder one sees %d activities", n)
	}
}
