package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

var ceNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func ceDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// minimalPDF is the smallest body SniffUpload accepts as a PDF.
var minimalPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func newCEDB(t *testing.T) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	db.Now = func() time.Time { return ceNow }
	return db
}

// ceHolder creates an applicant-role holder with a confirmed address and
// returns their context.
func ceHolder(t *testing.T, db *postgres.DB, email string) (context.Context, *peerboard.User) {
	t.Helper()
	verified := db.Now()
	u := &peerboard.User{Email: email, Name: "Holder " + email, Role: peerboard.RoleApplicant, PasswordHash: "x",
		EmailVerifiedAt: &verified}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return peerboard.NewContextWithUser(context.Background(), u), u
}

// ceTrainer creates an approved organization and its trainer.
func ceTrainer(t *testing.T, db *postgres.DB, org, email string) (context.Context, int64) {
	t.Helper()
	ctx := context.Background()
	orgID, err := db.EnsureDemoOrganization(ctx, org, db.Today())
	if err != nil {
		t.Fatal(err)
	}
	tr := &peerboard.User{Email: email, Name: "Trainer " + org, Role: peerboard.RoleTrainer, OrganizationID: &orgID, PasswordHash: "x"}
	if err := db.CreateUser(ctx, tr); err != nil {
		t.Fatal(err)
	}
	return peerboard.NewContextWithUser(ctx, tr), orgID
}

func ceCount(t *testing.T, db *postgres.DB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLogCEActivity(t *testing.T) {
	db := newCEDB(t)
	ctx, holder := ceHolder(t, db, "holder@example.org")
	start, end := ceDay(2025, 6, 1), ceDay(2027, 6, 1)
	a := peerboard.CEActivity{Title: " Ethics in peer work ", Provider: "State conference", Date: ceDay(2026, 10, 2),
		Hours: 3, Category: peerboard.CEEthics}

	act := a
	rec, err := db.LogCEActivity(ctx, &act, start, end, &postgres.CEProof{Filename: "cert.pdf", Data: minimalPDF})
	if err != nil {
		t.Fatalf("LogCEActivity: %v", err)
	}
	if rec.ID == 0 || rec.ProofFileID == "" || rec.Title != "Ethics in peer work" || rec.Source != peerboard.CESelfReported {
		t.Errorf("record = %+v", rec)
	}
	f, data, err := db.FileByID(ctx, rec.ProofFileID)
	if err != nil || f.OwnerID != holder.ID || f.ContentType != peerboard.TypePDF || string(data) != string(minimalPDF) {
		t.Errorf("proof = %+v, %v", f, err)
	}
	if n := ceCount(t, db, `audit_events WHERE action = 'ce.logged' AND entity_id = $1`, rec.ID); n != 1 {
		t.Errorf("audit events = %d", n)
	}

	// The same activity again (other case and spacing in the title): one record, no second file.
	again := a
	again.Title = "ETHICS IN PEER WORK"
	_, err = db.LogCEActivity(ctx, &again, start, end, &postgres.CEProof{Filename: "cert.pdf", Data: minimalPDF})
	if peerboard.ErrorCode(err) != peerboard.ECONFLICT || !strings.Contains(peerboard.ErrorMessage(err), "already logged") {
		t.Errorf("duplicate: %v", err)
	}
	if n := ceCount(t, db, `ce_activities`); n != 1 {
		t.Errorf("activities = %d, want 1", n)
	}
	if n := ceCount(t, db, `stored_files`); n != 1 {
		t.Errorf("files = %d, want 1 (the duplicate's file rolled back)", n)
	}

	bad := []struct {
		name  string
		edit  func(*peerboard.CEActivity)
		proof *postgres.CEProof
		field string
	}{
		{"zero hours", func(a *peerboard.CEActivity) { a.Hours = 0 }, nil, "hours"},
		{"negative hours", func(a *peerboard.CEActivity) { a.Hours = -1 }, nil, "hours"},
		{"over 24", func(a *peerboard.CEActivity) { a.Hours = 25 }, nil, "hours"},
		{"not quarter", func(a *peerboard.CEActivity) { a.Hours = 1.1 }, nil, "hours"},
		{"future", func(a *peerboard.CEActivity) { a.Date = ceDay(2026, 11, 24) }, nil, "date"},
		{"before cycle", func(a *peerboard.CEActivity) { a.Date = ceDay(2025, 5, 31) }, nil, "date"},
		{"unknown category", func(a *peerboard.CEActivity) { a.Category = "yoga" }, nil, "category"},
		{"empty file", func(*peerboard.CEActivity) {}, &postgres.CEProof{Filename: "x.pdf"}, "proof"},
		{"html named pdf", func(*peerboard.CEActivity) {}, &postgres.CEProof{Filename: "x.pdf", Data: []byte("<html><script>alert(1)</script></html>")}, "proof"},
		{"text file", func(*peerboard.CEActivity) {}, &postgres.CEProof{Filename: "x.pdf", Data: []byte("hello")}, "proof"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			b := a
			b.Title = "Other " + tt.name
			tt.edit(&b)
			_, err := db.LogCEActivity(ctx, &b, start, end, tt.proof)
			if peerboard.ErrorFields(err)[tt.field] == "" {
				t.Errorf("err = %v (%v), want a %s field error", err, peerboard.ErrorFields(err), tt.field)
			}
		})
	}
	big := a
	big.Title = "Big"
	if _, err := db.LogCEActivity(ctx, &big, start, end, &postgres.CEProof{Filename: "x.pdf", Data: make([]byte, peerboard.MaxUploadBytes+1)}); peerboard.ErrorCode(err) != peerboard.ETOOLARGE {
		t.Errorf("too large: %v", err)
	}
	if n := ceCount(t, db, `ce_activities`); n != 1 {
		t.Errorf("bad input stored something: %d activities", n)
	}

	// A trainer may not log self-reported CE.
	tctx, _ := ceTrainer(t, db, "Org", "t@example.org")
	if _, err := db.LogCEActivity(tctx, &a, start, end, nil); peerboard.ErrorCode(err) != peerboard.EFORBIDDEN {
		t.Errorf("trainer logging: %v", err)
	}

	acts, err := db.CEOfUserBetween(ctx, holder.ID, start, end)
	if err != nil || len(acts) != 1 || acts[0].Hours != 3 || acts[0].Category != peerboard.CEEthics {
		t.Errorf("CEOfUserBetween = %+v, %v", acts, err)
	}
	if acts, _ := db.CEOfUserBetween(ctx, holder.ID, ceDay(2026, 10, 3), end); len(acts) != 0 {
		t.Errorf("activities outside the range: %+v", acts)
	}
}

func TestPostCEAndAttachLater(t *testing.T) {
	db := newCEDB(t)
	tctx, orgID := ceTrainer(t, db, "Org One", "t1@example.org")
	_, known := ceHolder(t, db, "known@example.org")

	row := cefile.Row{Email: "known@example.org", Name: "Known", Title: "Boundaries", Date: ceDay(2026, 9, 1), Hours: 2, Category: peerboard.CEEthics}
	rec, err := db.PostCE(tctx, orgID, row)
	if err != nil {
		t.Fatalf("PostCE: %v", err)
	}
	if rec.UserID == nil || *rec.UserID != known.ID || rec.Provider != "Org One" || rec.Source != peerboard.CEVerified {
		t.Errorf("record = %+v", rec)
	}
	if _, err := db.PostCE(tctx, orgID, row); peerboard.ErrorCode(err) != peerboard.ECONFLICT {
		t.Errorf("posted twice: %v", err)
	}
	if n := ceCount(t, db, `audit_events WHERE action = 'ce.posted'`); n != 1 {
		t.Errorf("ce.posted events = %d", n)
	}

	// Posted before the person registers; CreateUser attaches it.
	later := row
	later.Email = "later@example.org"
	rec, err = db.PostCE(tctx, orgID, later)
	if err != nil || rec.UserID != nil {
		t.Fatalf("PostCE for unknown email: %+v, %v", rec, err)
	}
	_, lu := ceHolder(t, db, "Later@Example.org")
	acts, err := db.CEOfUser(context.Background(), lu.ID, postgres.CECursor{}, 10)
	if err != nil || len(acts) != 1 || acts[0].OrganizationID == nil || *acts[0].OrganizationID != orgID {
		t.Errorf("attached later: %+v, %v", acts, err)
	}

	// An organization whose approval has lapsed cannot post.
	if _, err := db.Pool.Exec(context.Background(), `UPDATE training_organizations SET approved_until = '2026-01-01' WHERE id = $1`, orgID); err != nil {
		t.Fatal(err)
	}
	other := row
	other.Title = "Another"
	if _, err := db.PostCE(tctx, orgID, other); peerboard.ErrorCode(err) != peerboard.EFORBIDDEN {
		t.Errorf("lapsed organization: %v", err)
	}
}

func TestImportCERoster(t *testing.T) {
	db := newCEDB(t)
	tctx, orgID := ceTrainer(t, db, "Org One", "t1@example.org")
	t2ctx, org2 := ceTrainer(t, db, "Org Two", "t2@example.org")
	_, ana := ceHolder(t, db, "ana@example.org")

	roster := "email,name,title,date,hours,category\n" +
		"ANA@example.org,Ana,Ethics day,2026-03-01,6,ethics\n" +
		"ben@example.org,Ben,Ethics day,2026-03-01,6,ethics\n" +
		"cy@example.org,\"=HYPERLINK(\"\"http://x\"\")\",Ethics day,2026-03-01,6,ethics\n"
	rep, err := db.ImportCERoster(tctx, orgID, "roster.csv", []byte(roster))
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if rep.Rows != 3 || rep.New != 3 || rep.ImportID == 0 {
		t.Errorf("report = %+v", rep)
	}
	if n := ceCount(t, db, `ce_activities WHERE user_id = $1 AND source = 'verified' AND provider = 'Org One'`, ana.ID); n != 1 {
		t.Errorf("Ana's attached records = %d", n)
	}
	if n := ceCount(t, db, `ce_activities WHERE person_name = '=HYPERLINK("http://x")'`); n != 1 {
		t.Errorf("formula name not stored as text: %d", n)
	}
	if n := ceCount(t, db, `audit_events WHERE action = 'ce.roster_imported' AND entity_id = $1`, rep.ImportID); n != 1 {
		t.Errorf("import audit events = %d", n)
	}

	// The same roster again changes nothing but the import log.
	rep, err = db.ImportCERoster(tctx, orgID, "roster.csv", []byte(roster))
	if err != nil || rep.New != 0 || rep.Rows != 3 {
		t.Errorf("re-import: %+v, %v", rep, err)
	}
	if n := ceCount(t, db, `ce_activities`); n != 3 {
		t.Errorf("activities after re-import = %d", n)
	}

	// One bad row: nothing imported, every bad line listed.
	bad := "email,name,title,date,hours,category\n" +
		"dan@example.org,Dan,Day two,2026-03-02,2,ethics\n" +
		"eve@example.org,Eve,Day two,2026-03-02,0,ethics\n" +
		"fay@example.org,Fay,Day two,2099-03-02,2,ethics\n"
	rep, err = db.ImportCERoster(tctx, orgID, "bad.csv", []byte(bad))
	if err != nil || len(rep.Errors) != 2 || rep.Errors[0].Line != 3 || rep.Errors[1].Line != 4 {
		t.Fatalf("bad roster: %+v, %v", rep, err)
	}
	if n := ceCount(t, db, `ce_activities`); n != 3 {
		t.Errorf("a bad roster stored rows: %d activities", n)
	}
	if n := ceCount(t, db, `ce_imports`); n != 2 {
		t.Errorf("imports = %d, want 2", n)
	}

	// Each organization sees only its own.
	if _, err := db.ImportCERoster(t2ctx, org2, "r.csv", []byte("email,name,title,date,hours,category\nzed@example.org,Zed,Other,2026-04-01,1,other\n")); err != nil {
		t.Fatal(err)
	}
	mine, err := db.CEOfOrganization(context.Background(), orgID, 0, 10)
	if err != nil || len(mine) != 3 {
		t.Fatalf("org one sees %d, %v", len(mine), err)
	}
	for _, r := range mine {
		if *r.OrganizationID != orgID {
			t.Errorf("org one sees %+v", r)
		}
	}
	theirs, _ := db.CEOfOrganization(context.Background(), org2, 0, 10)
	if len(theirs) != 1 || theirs[0].PersonEmail != "zed@example.org" {
		t.Errorf("org two sees %+v", theirs)
	}
	// Keyset pages: 2 + 1, newest first.
	page, _ := db.CEOfOrganization(context.Background(), orgID, 0, 2)
	if len(page) != 3 || page[0].ID < page[1].ID {
		t.Fatalf("first page = %d rows", len(page))
	}
	next, _ := db.CEOfOrganization(context.Background(), orgID, page[1].ID, 2)
	if len(next) != 1 || next[0].ID != page[2].ID {
		t.Errorf("second page = %+v", next)
	}
}

func TestCEOfUserPages(t *testing.T) {
	db := newCEDB(t)
	ctx, holder := ceHolder(t, db, "h@example.org")
	for i := range 5 {
		a := peerboard.CEActivity{Title: fmt.Sprintf("Course %d", i), Provider: "P", Date: ceDay(2026, 1, 1+i%2), Hours: 1, Category: peerboard.CEOther}
		if _, err := db.LogCEActivity(ctx, &a, ceDay(2025, 1, 1), ceDay(2027, 1, 1), nil); err != nil {
			t.Fatal(err)
		}
	}
	var seen []int64
	cur := postgres.CECursor{}
	for range 3 {
		page, err := db.CEOfUser(ctx, holder.ID, cur, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			page = page[:2]
		}
		for _, r := range page {
			seen = append(seen, r.ID)
		}
		if len(page) == 0 {
			break
		}
		last := page[len(page)-1]
		cur = postgres.CECursor{Date: last.Date, ID: last.ID}
	}
	if len(seen) != 5 {
		t.Fatalf("pages gave %v", seen)
	}
	dup := map[int64]bool{}
	for _, id := range seen {
		if dup[id] {
			t.Errorf("id %d on two pages", id)
		}
		dup[id] = true
	}
}
