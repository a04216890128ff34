package pgtest

import (
	"context"
	"testing"

	"github.com/peerboard/peerboard/internal/postgres"
)

// Train records, for the user with id and email, the completion of an
// 80-hour course with the ethics module covering all twelve competencies
// from an approved organization: the training a standard application needs
// before it can be approved.
func Train(t testing.TB, db *postgres.DB, userID int64, email string) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `
		WITH o AS (
			INSERT INTO training_organizations (name, approved_from) VALUES ('Fixture Training Organization', '2000-01-01')
			ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
		), c AS (
			INSERT INTO training_courses (organization_id, code, title, total_hours, includes_ethics_module)
			SELECT id, 'CORE-80', 'Core curriculum', 80, true FROM o
			ON CONFLICT (organization_id, code) DO UPDATE SET title = EXCLUDED.title RETURNING id, organization_id
		), cc AS (
			INSERT INTO course_competencies (course_id, competency, hours)
			SELECT c.id, g, 6.5 FROM c, generate_series(1, 12) g ON CONFLICT DO NOTHING
		)
		INSERT INTO training_completions (course_id, organization_id, person_email, person_name, user_id, completed_on, recorded_by)
		SELECT c.id, c.organization_id, $2, 'Fixture', $1, '2026-01-15', $1 FROM c`, userID, email)
	if err != nil {
		t.Fatalf("record training: %v", err)
	}
}
