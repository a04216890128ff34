package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/server"
)

// holder is what a verification test seeds for one credential, private
// details included so tests can prove they never leak.
type holder struct {
	First, Last string
	Email       string
	Phone       string
	Address     string
	City        string
	PostalCode  string
	DateOfBirth string // YYYY-MM-DD
	Status      string
	Family      bool
}

// insertCredential stores a user, an approved application with the holder's
// private details and a credential issued from it, with plain SQL, and
// returns the credential number.
func (a *testApp) insertCredential(h holder) string {
	a.t.Helper()
	ctx := context.Background()
	if h.Status == "" {
		h.Status = "active"
	}
	if h.Email == "" {
		h.Email = strings.ToLower(h.First+"."+h.Last) + "." + time.Now().Format("150405.000000000") + "@example.org"
	}
	if h.DateOfBirth == "" {
		h.DateOfBirth = "1985-03-14"
	}
	var seq int64
	var prefix string
	if err := a.db.Pool.QueryRow(ctx, `SELECT nextval('credential_number_seq'), number_prefix FROM credential_types WHERE code = 'CPSRP'`).
		Scan(&seq, &prefix); err != nil {
		a.t.Fatal(err)
	}
	number := peerboard.FormatCredentialNumber(prefix, seq)
	lived := "self"
	if h.Family {
		lived = "family"
	}
	_, err := a.db.Pool.Exec(ctx, `
		WITH t AS (SELECT id FROM credential_types WHERE code = 'CPSRP'),
		u AS (INSERT INTO users (email, name, password_hash, role)
		      VALUES ($1, $2 || ' ' || $3, 'x', 'applicant') RETURNING id),
		app AS (INSERT INTO applications (applicant_id, credential_type_id, pathway, status, first_name, last_name,
		                                  date_of_birth, phone, address_line, city, state, postal_code, lived_experience,
		                                  submitted_at, decided_at)
		        SELECT u.id, t.id, 'grandparenting', 'approved', $2, $3, $4::date, $5, $6, $7, 'CT', $8, $9,
		               '2026-01-05', '2026-02-01'
		        FROM u, t RETURNING id, applicant_id, credential_type_id)
		INSERT INTO credentials (number, user_id, credential_type_id, application_id, status, first_name, last_name,
		                         family_modifier, issued_on, expires_on, updated_at)
		SELECT $10, app.applicant_id, app.credential_type_id, app.id, $11, $2, $3, $12,
		       '2026-02-01', '2028-02-01', '2026-02-01 10:00+00'
		FROM app`,
		h.Email, h.First, h.Last, h.DateOfBirth, h.Phone, h.Address, h.City, h.PostalCode, lived,
		number, h.Status, h.Family)
	if err != nil {
		a.t.Fatalf("insert credential: %v", err)
	}
	return number
}

// addDiscipline records a discipline action on the credential numbered number.
func (a *testApp) addDiscipline(number, action, summary string, public bool, createdAt string) {
	a.t.Helper()
	_, err := a.db.Pool.Exec(context.Background(), `
		INSERT INTO discipline_actions (credential_id, action, public_summary, effective_on, public, created_at)
		SELECT id, $2, $3, '2026-06-01', $4, $5::timestamptz FROM credentials WHERE number = $1`,
		number, action, summary, public, createdAt)
	if err != nil {
		a.t.Fatalf("insert discipline: %v", err)
	}
}

// compact strips hyphens and lower-cases a number, as a person might type it.
func compact(number string) string { return strings.ToLower(strings.ReplaceAll(number, "-", "")) }

func TestVerifyByNumber(t *testing.T) {
	app := newTestApp(t)
	number := app.insertCredential(holder{First: "Jordan", Last: "Rivera", Family: true})
	c := app.client()

	for _, typed := range []string{number, compact(number), " " + strings.ToLower(number) + " "} {
		t.Run(typed, func(t *testing.T) {
			res := c.get("/verify?number=" + url.QueryEscape(typed))
			wantStatus(t, res, http.StatusOK)
			if got := res.Text("#result-heading"); got != "Jordan Rivera" {
				t.Errorf("result heading %q, want Jordan Rivera", got)
			}
			if !strings.Contains(res.Body, number) || !strings.Contains(res.Body, "CPSRP-F") {
				t.Errorf("page does not show the number %s with the F modifier", number)
			}
			if href, _ := res.Doc.Find(`a[href^="/verify/"]`).Attr("href"); href != "/verify/"+number {
				t.Errorf("permalink %q, want /verify/%s", href, number)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}
}

func TestVerifyByNumberBadInput(t *testing.T) {
	app := newTestApp(t)
	number := app.insertCredential(holder{First: "Jordan", Last: "Rivera"})
	// Change the check character: a typing error the number must catch.
	last := number[len(number)-1]
	wrong := number[:len(number)-1] + string("AB"[boolIndex(last == 'A')])
	unknown := peerboard.FormatCredentialNumber("CPSRP", 999999)
	c := app.client()

	tests := []struct {
		name, typed string
		status      int
		fieldError  string
		notFound    string
	}{
		{"invalid check character", wrong, http.StatusUnprocessableEntity, "That is not a valid credential number", ""},
		{"garbage", "hello", http.StatusUnprocessableEntity, "That is not a valid credential number", ""},
		{"empty", "  ", http.StatusUnprocessableEntity, "Enter a credential number.", ""},
		{"unknown", unknown, http.StatusNotFound, "", "No credential with number " + unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.get("/verify?number=" + url.QueryEscape(tt.typed))
			wantStatus(t, res, tt.status)
			if got := res.Text("#number-error"); got != tt.fieldError {
				t.Errorf("field error %q, want %q", got, tt.fieldError)
			}
			if v, _ := res.Doc.Find("input#number").Attr("value"); v != tt.typed {
				t.Errorf("input kept as %q, want %q", v, tt.typed)
			}
			if tt.notFound != "" && !strings.Contains(res.Text(".usa-alert--warning"), tt.notFound) {
				t.Errorf("alert %q, want it to say %q", res.Text(".usa-alert--warning"), tt.notFound)
			}
			if res.Doc.Find("#result-heading").Length() != 0 {
				t.Error("a result is shown for bad input")
			}
		})
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestVerifyByName(t *testing.T) {
	app := newTestApp(t)
	n1 := app.insertCredential(holder{First: "Sam", Last: "Lee"})
	n2 := app.insertCredential(holder{First: "Sam", Last: "Lee", Status: "suspended"})
	other := app.insertCredential(holder{First: "Sam", Last: "Leeds"})
	app.addDiscipline(n2, "suspension", "Suspended for six months.", true, "2026-06-01 09:00+00")
	c := app.client()

	res := c.get("/verify?first=sAM&last=" + url.QueryEscape(" lee "))
	wantStatus(t, res, http.StatusOK)
	rows := res.Doc.Find("table tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	for _, n := range []string{n1, n2} {
		if res.Doc.Find(`a[href="/verify/`+n+`"]`).Length() != 1 {
			t.Errorf("no link to %s", n)
		}
	}
	if strings.Contains(res.Body, other) {
		t.Errorf("Sam Leeds (%s) listed for an exact search of Sam Lee", other)
	}
	if !strings.Contains(res.Body, "Suspended: may not practice") || !strings.Contains(res.Body, "1 action on record") {
		t.Error("the suspended match does not show its status and public discipline")
	}
	if got := res.Text("#matches-heading"); got != "2 credential holders named sAM lee" {
		t.Errorf("heading %q", got)
	}

	res = c.get("/verify?first=Nobody&last=Here")
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("#matches-heading"); got != "No credential holder named Nobody Here" {
		t.Errorf("no-match heading %q", got)
	}
}

func TestVerifyByNameNeedsBothNames(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	tests := []struct {
		query, wantField, keptField, kept string
	}{
		{"first=Sam&last=", "last", "first", "Sam"},
		{"first=&last=Lee", "first", "last", "Lee"},
		{"last=Lee", "first", "last", "Lee"},
		{"first=" + strings.Repeat("x", 201) + "&last=Lee", "first", "last", "Lee"},
	}
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 20)], func(t *testing.T) {
			res := c.get("/verify?" + tt.query)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if res.Text("#"+tt.wantField+"-error") == "" {
				t.Errorf("no error next to %s", tt.wantField)
			}
			if res.Text("#"+tt.keptField+"-error") != "" {
				t.Errorf("unexpected error next to %s", tt.keptField)
			}
			if v, _ := res.Doc.Find("input#" + tt.keptField).Attr("value"); v != tt.kept {
				t.Errorf("%s kept as %q, want %q", tt.keptField, v, tt.kept)
			}
			if res.Doc.Find(`.usa-alert--error a[href="#`+tt.wantField+`"]`).Length() != 1 {
				t.Errorf("error summary does not link to %s", tt.wantField)
			}
		})
	}
}

func TestVerifyByNamePaginates(t *testing.T) {
	app := newTestApp(t)
	var numbers []string
	for range 51 {
		numbers = append(numbers, app.insertCredential(holder{First: "Maria", Last: "Garcia"}))
	}
	slices.Sort(numbers)
	c := app.client()

	res := c.get("/verify?first=Maria&last=Garcia")
	wantStatus(t, res, http.StatusOK)
	if n := res.Doc.Find("table tbody tr").Length(); n != 50 {
		t.Fatalf("first page has %d rows, want 50", n)
	}
	if !strings.Contains(res.Text("#matches-heading"), "More than 50") {
		t.Errorf("heading %q does not say there are more", res.Text("#matches-heading"))
	}
	next, ok := res.Doc.Find("a.usa-pagination__next-page").Attr("href")
	if !ok {
		t.Fatal("no next-page link")
	}
	res = c.get(next)
	wantStatus(t, res, http.StatusOK)
	rows := res.Doc.Find("table tbody tr")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), numbers[50]) {
		t.Errorf("second page: %d rows (%q), want only %s", rows.Length(), rows.Text(), numbers[50])
	}
	if res.Doc.Find("a.usa-pagination__next-page").Length() != 0 {
		t.Error("last page links to a next page")
	}
}

func TestVerifyRecordPage(t *testing.T) {
	app := newTestApp(t)
	number := app.insertCredential(holder{First: "Ana", Last: "Silva", Status: "suspended"})
	app.addDiscipline(number, "suspension", "Suspended pending review of a complaint.", true, "2026-06-01 09:30+00")
	app.addDiscipline(number, "reprimand", "Confidential internal note.", false, "2026-07-01 09:30+00")
	c := app.client()

	res := c.get("/verify/" + number)
	wantStatus(t, res, http.StatusOK)
	if got := res.Text("h1"); got != "Ana Silva" {
		t.Errorf("h1 %q", got)
	}
	for _, want := range []string{number, "Certified Peer Support &amp; Recovery Professional", "Suspended: may not practice",
		"February 1, 2026", "February 1, 2028", "Suspended pending review of a complaint.",
		// Last updated is the newest public discipline, later than the credential row.
		"June 1, 2026 at 09:30 UTC"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(res.Body, "Confidential internal note.") || strings.Contains(res.Body, "1 July 2026") {
		t.Error("page shows a non-public discipline action")
	}
	if strings.Contains(res.Body, "CPSRP-F") {
		t.Error("the F modifier is shown for a holder without it")
	}

	t.Run("loosely typed number redirects to the canonical address", func(t *testing.T) {
		res := c.get("/verify/" + compact(number))
		wantStatus(t, res, http.StatusMovedPermanently)
		if res.Location() != "/verify/"+number {
			t.Errorf("Location %q", res.Location())
		}
	})
	for name, typed := range map[string]string{
		"unknown":   peerboard.FormatCredentialNumber("CPSRP", 424242),
		"malformed": "CPSRP-12",
	} {
		t.Run(name, func(t *testing.T) {
			res := c.get("/verify/" + typed)
			wantStatus(t, res, http.StatusNotFound)
			if got := res.Text("h1"); got != "No credential with number "+typed {
				t.Errorf("h1 %q", got)
			}
		})
	}
}

func TestVerifyAPI(t *testing.T) {
	app := newTestApp(t)
	number := app.insertCredential(holder{First: "Kai", Last: "Moana", Family: true})
	app.addDiscipline(number, "reprimand", "Reprimanded for late records.", true, "2026-03-01 12:00+00")
	c := app.client()

	res := c.get("/api/v1/credentials/" + number)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var got peerboard.PublicCredential
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := peerboard.PublicCredential{
		Name: "Kai Moana", CredentialType: "Certified Peer Support & Recovery Professional", CredentialTypeCode: "CPSRP",
		Number: number, Status: "active", StatusLabel: "Active", HL7Status: "active", FamilyModifier: true,
		IssuedOn: "2026-02-01", ExpiresOn: "2028-02-01",
		Discipline:  []peerboard.PublicDiscipline{{Action: "reprimand", Summary: "Reprimanded for late records.", EffectiveOn: "2026-06-01"}},
		LastUpdated: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("got  %s\nwant %s", gotJSON, wantJSON)
	}

	t.Run("loosely typed number", func(t *testing.T) {
		res := c.get("/api/v1/credentials/" + compact(number))
		wantStatus(t, res, http.StatusOK)
	})
	for name, typed := range map[string]string{
		"unknown":   peerboard.FormatCredentialNumber("CPSRP", 424242),
		"malformed": "not-a-number",
	} {
		t.Run(name, func(t *testing.T) {
			res := c.get("/api/v1/credentials/" + typed)
			wantStatus(t, res, http.StatusNotFound)
			var body map[string]string
			if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
				t.Fatalf("404 body is not JSON: %v: %s", err, res.Body)
			}
			if body["error"] != "No credential with number "+typed {
				t.Errorf("error %q", body["error"])
			}
		})
	}
}

// TestVerifyShowsOnlyPublicFields seeds every private detail on the
// application and proves that neither the pages nor the API show them, and
// that the API has exactly the allowed keys.
func TestVerifyShowsOnlyPublicFields(t *testing.T) {
	app := newTestApp(t)
	h := holder{First: "Priya", Last: "Natarajan", Email: "priya.private@example.org", Phone: "860-555-0199",
		Address: "77 Secret Lane", City: "Wethersfield", PostalCode: "06109", DateOfBirth: "1979-08-23", Family: true}
	number := app.insertCredential(h)
	c := app.client()

	private := []string{h.Email, h.Phone, h.Address, h.City, h.PostalCode, h.DateOfBirth, "1979", "23 August", "August 23",
		"08/23", "lived_experience", "supervised", "grandparenting"}
	for _, path := range []string{"/verify/" + number, "/verify?number=" + number, "/verify?first=Priya&last=Natarajan",
		"/api/v1/credentials/" + number} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		for _, p := range private {
			if strings.Contains(strings.ToLower(res.Body), strings.ToLower(p)) {
				t.Errorf("%s shows private detail %q", path, p)
			}
		}
	}

	res := c.get("/api/v1/credentials/" + number)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(res.Body), &obj); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	allowed := []string{"credential_type", "credential_type_code", "discipline", "expires_on", "family_modifier",
		"hl7_status", "issued_on", "last_updated", "name", "number", "status", "status_label"}
	if got := keys(obj); !slices.Equal(got, allowed) {
		t.Errorf("API keys %v, want exactly %v", got, allowed)
	}

	app.addDiscipline(number, "probation", "Probation for one year.", true, "2026-05-01 10:00+00")
	res = c.get("/api/v1/credentials/" + number)
	var withDiscipline struct {
		Discipline []map[string]json.RawMessage `json:"discipline"`
	}
	if err := json.Unmarshal([]byte(res.Body), &withDiscipline); err != nil || len(withDiscipline.Discipline) != 1 {
		t.Fatalf("discipline: %v %s", err, res.Body)
	}
	if got := keys(withDiscipline.Discipline[0]); !slices.Equal(got, []string{"action", "effective_on", "summary"}) {
		t.Errorf("discipline keys %v", got)
	}
}

func TestVerifyRateLimit(t *testing.T) {
	app := newTestApp(t, func(c *server.Config) { c.VerifyRequestsPerMinute = 3 })
	number := app.insertCredential(holder{First: "Noah", Last: "Berg"})
	c := app.client()

	for _, path := range []string{"/verify/" + number, "/api/v1/credentials/" + number, "/verify?first=Noah&last=Berg"} {
		wantStatus(t, c.get(path), http.StatusOK)
	}
	res := c.get("/verify/" + number)
	wantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(res.Body, "Too many lookups") {
		t.Errorf("429 page does not explain itself: %q", res.Text("main"))
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	res = c.get("/api/v1/credentials/" + number)
	wantStatus(t, res, http.StatusTooManyRequests)
	var body map[string]string
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil || body["error"] == "" {
		t.Errorf("429 API body %q, want JSON with an error", res.Body)
	}
	wantStatus(t, c.get("/verify?number="+number), http.StatusTooManyRequests)
	// The empty form looks nothing up, so it stays available.
	wantStatus(t, c.get("/verify"), http.StatusOK)
}

// TestVerifyEveryRole: verification is public, so every role and anonymous
// visitors see the same record.
func TestVerifyEveryRole(t *testing.T) {
	app := newTestApp(t)
	number := app.insertCredential(holder{First: "Rosa", Last: "Parks"})
	var orgID int64
	if err := app.db.Pool.QueryRow(context.Background(),
		`INSERT INTO training_organizations (name) VALUES ('Verify Test Org') RETURNING id`).Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*client{"anonymous": app.client()}
	for _, role := range []peerboard.Role{peerboard.RoleApplicant, peerboard.RoleTrainer, peerboard.RoleReviewer, peerboard.RoleAdmin} {
		var org *int64
		if role == peerboard.RoleTrainer {
			org = &orgID
		}
		u := app.createUser(role, string(role)+"@verify.test", org)
		clients[string(role)] = app.client().login(u.Email)
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/verify", "/verify/" + number, "/verify?number=" + number,
				"/verify?first=Rosa&last=Parks", "/api/v1/credentials/" + number} {
				res := c.get(path)
				wantStatus(t, res, http.StatusOK)
				if !strings.Contains(path, "/api/") && res.Doc.Find("h1").Length() != 1 {
					t.Errorf("%s: %d h1 elements, want 1", path, res.Doc.Find("h1").Length())
				}
			}
		})
	}
}

func TestVerifyRoutesArePublic(t *testing.T) {
	app := newTestApp(t)
	for _, pattern := range []string{"/verify", "/verify/{number}", "/api/v1/credentials/{number}"} {
		if p, ok := app.srv.PolicyOf(http.MethodGet, pattern); !ok || p != "public" {
			t.Errorf("GET %s policy %q (declared %v), want public", pattern, p, ok)
		}
	}
}
