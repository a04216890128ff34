package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
)

// trainingOrg creates an approved organization with a trainer and one
// course, and returns the trainer's context.
func trainingOrg(t *testing.T, db *postgres.DB, name, email string) (context.Context, int64, *peerboard.Course) {
	t.Helper()
	ctx := context.Background()
	orgID, err := db.EnsureDemoOrganization(ctx, name, db.Today())
	if err != nil {
		t.Fatal(err)
	}
	tr := &peerboard.User{Email: email, Name: "Trainer of " + name, Role: peerboard.RoleTrainer, OrganizationID: &orgID, PasswordHash: "x"}
	if err := db.CreateUser(ctx, tr); err != nil {
		t.Fatal(err)
	}
	ctx = peerboard.NewContextWithUser(ctx, tr)
	c := &peerboard.Course{Code: "PEER-80", Title: "Peer support " + name, TotalHours: 80, IncludesEthicsModule: true,
		CompetencyHours: map[peerboard.Competency]float64{peerboard.CompEngages: 6.25, peerboard.CompGrowth: 7}}
	if err := db.CreateCourse(ctx, orgID, c); err != nil {
		t.Fatalf("CreateCourse: %v", err)
	}
	return ctx, orgID, c
}

func TestCoursesAndCompletions(t *testing.T) {
	db := newExamDB(t)
	ctx, orgID, course := trainingOrg(t, db, "Org One", "t1@example.org")
	ctx2, org2, course2 := trainingOrg(t, db, "Org Two", "t2@example.org")

	courses, err := db.CoursesOfOrganization(ctx, orgID, false)
	if err != nil || len(courses) != 1 || courses[0].ID != course.ID || courses[0].CompetencyHours[peerboard.CompEngages] != 6.25 ||
		courses[0].CompetencyHours[peerboard.CompGrowth] != 7 || len(courses[0].CompetencyHours) != 2 {
		t.Fatalf("courses = %+v, %v", courses, err)
	}
	dup := &peerboard.Course{Code: "PEER-80", Title: "Again", TotalHours: 1, CompetencyHours: map[peerboard.Competency]float64{1: 1}}
	if err := db.CreateCourse(ctx, orgID, dup); peerboard.ErrorFields(err)["code"] == "" {
		t.Errorf("duplicate code: %v; want a field error", err)
	}

	// An account that exists now, its address confirmed, gets the
	// completion attached at once.
	verified := db.Now()
	holder := &peerboard.User{Email: "ada@example.org", Name: "Ada", Role: peerboard.RoleApplicant, PasswordHash: "x",
		EmailVerifiedAt: &verified}
	if err := db.CreateUser(context.Background(), holder); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &peerboard.Completion{CourseID: course.ID, PersonEmail: "ada@example.org", PersonName: "Ada L", CompletedOn: day}
	if err := db.RecordCompletion(ctx, orgID, c); err != nil {
		t.Fatalf("RecordCompletion: %v", err)
	}
	if c.UserID == nil || *c.UserID != holder.ID {
		t.Errorf("user_id = %v, want %d", c.UserID, holder.ID)
	}
	again := *c
	if err := db.RecordCompletion(ctx, orgID, &again); peerboard.ErrorCode(err) != peerboard.ECONFLICT {
		t.Errorf("second record: %v; want conflict", err)
	}
	// Another organization's course id is not found, and nothing is stored.
	other := &peerboard.Completion{CourseID: course2.ID, PersonEmail: "bob@example.org", PersonName: "Bob", CompletedOn: day}
	if err := db.RecordCompletion(ctx, orgID, other); peerboard.ErrorFields(err)["course_id"] == "" {
		t.Errorf("other org's course: %v; want a field error", err)
	}
	// A person without an account yet.
	later := &peerboard.Completion{CourseID: course2.ID, PersonEmail: "bob@example.org", PersonName: "Bob", CompletedOn: day}
	if err := db.RecordCompletion(ctx2, org2, later); err != nil || later.UserID != nil {
		t.Fatalf("record for bob: %v, user %v", err, later.UserID)
	}

	list, err := db.CompletionsOfOrganization(ctx, orgID, 0, 10)
	if err != nil || len(list) != 1 || list[0].PersonEmail != "ada@example.org" || list[0].CourseCode != "PEER-80" {
		t.Fatalf("org one completions = %+v, %v", list, err)
	}
	list2, err := db.CompletionsOfOrganization(ctx2, org2, 0, 10)
	if err != nil || len(list2) != 1 || list2[0].PersonEmail != "bob@example.org" {
		t.Fatalf("org two completions = %+v, %v", list2, err)
	}
	if n := count(t, db, `SELECT count(*) FROM training_completions`); n != 2 {
		t.Errorf("%d completions stored, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_events WHERE action = 'training.completion_recorded'`); n != 2 {
		t.Errorf("%d completion audit events, want 2", n)
	}
	records, err := db.TrainingRecordsOfUser(ctx, holder.ID)
	if err != nil || len(records) != 1 || !records[0].OrganizationApproved {
		t.Errorf("training records = %+v, %v; want one approved", records, err)
	}
}

func TestCompletionsArePagedNewestFirst(t *testing.T) {
	db := newExamDB(t)
	ctx, orgID, course := trainingOrg(t, db, "Org", "t@example.org")
	for i := range 5 {
		c := &peerboard.Completion{CourseID: course.ID, PersonEmail: "p@example.org", PersonName: "P",
			CompletedOn: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)}
		if err := db.RecordCompletion(ctx, orgID, c); err != nil {
			t.Fatal(err)
		}
	}
	page, err := db.CompletionsOfOrganization(ctx, orgID, 0, 2)
	if err != nil || len(page) != 3 || page[0].CompletedOn.Day() != 5 || page[1].CompletedOn.Day() != 4 {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	page, err = db.CompletionsOfOrganization(ctx, orgID, page[1].ID, 2)
	if err != nil || len(page) != 3 || page[0].CompletedOn.Day() != 3 {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}
	page, err = db.CompletionsOfOrganization(ctx, orgID, page[1].ID, 2)
	if err != nil || len(page) != 1 || page[0].CompletedOn.Day() != 1 {
		t.Fatalf("page 3 = %+v, %v", page, err)
	}
}

// An organization whose approval has lapsed records nothing, not even a
// completion dated inside its former approval window.
func TestLapsedOrganizationCannotRecordCompletions(t *testing.T) {
	db := newExamDB(t)
	ctx, orgID, course := trainingOrg(t, db, "Lapsed Academy", "lapsed@example.org")
	if _, err := db.Pool.Exec(ctx, `UPDATE training_organizations SET approved_until = $2 WHERE id = $1`,
		orgID, db.Today().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	err := db.RecordCompletion(ctx, orgID, &peerboard.Completion{CourseID: course.ID, PersonEmail: "ada@example.org",
		PersonName: "Ada", CompletedOn: db.Today().AddDate(0, -6, 0)})
	if peerboard.ErrorCode(err) != peerboard.EFORBIDDEN {
		t.Fatalf("backdated completion by a lapsed organization: %v, want forbidden", err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM training_completions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d completions stored, want none", n)
	}
}
