package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// OrganizationByID returns a training organization, or ENOTFOUND.
func (db *DB) OrganizationByID(ctx context.Context, id int64) (*peerboard.Organization, error) {
	var o peerboard.Organization
	var email *string
	err := db.Pool.QueryRow(ctx, `SELECT id, name, contact_email, approved_from, approved_until
		FROM training_organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &email, &o.ApprovedFrom, &o.ApprovedUntil)
	if err != nil {
		return nil, mapError(err, "Training organization")
	}
	if email != nil {
		o.ContactEmail = *email
	}
	return &o, nil
}

// CoursesOfOrganization lists an organization's courses, active ones first,
// with their hours per competency. Two queries, whatever the number of
// courses; an organization offers a handful, so the list is not paged.
func (db *DB) CoursesOfOrganization(ctx context.Context, orgID int64, activeOnly bool) ([]peerboard.Course, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, organization_id, code, title, total_hours, includes_ethics_module, active
		FROM training_courses WHERE organization_id = $1 AND (active OR NOT $2)
		ORDER BY active DESC, code`, orgID, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("courses: %w", err)
	}
	courses, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Course, error) {
		var c peerboard.Course
		err := r.Scan(&c.ID, &c.OrganizationID, &c.Code, &c.Title, &c.TotalHours, &c.IncludesEthicsModule, &c.Active)
		return c, err
	})
	if err != nil || len(courses) == 0 {
		return courses, err
	}
	ids := make([]int64, len(courses))
	for i, c := range courses {
		ids[i] = c.ID
	}
	hours, err := db.competencyHours(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range courses {
		courses[i].CompetencyHours = hours[courses[i].ID]
		if courses[i].CompetencyHours == nil {
			courses[i].CompetencyHours = map[peerboard.Competency]float64{}
		}
	}
	return courses, nil
}

// CreateCourse adds a course with its competency hours to the acting
// trainer's organization orgID (c.OrganizationID is set from it). A code
// the organization already uses is a field error on "code".
func (db *DB) CreateCourse(ctx context.Context, orgID int64, c *peerboard.Course) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		c.OrganizationID = orgID
		err := tx.QueryRow(ctx, `
			INSERT INTO training_courses (organization_id, code, title, total_hours, includes_ethics_module)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (organization_id, code) DO NOTHING
			RETURNING id`, orgID, c.Code, c.Title, c.TotalHours, c.IncludesEthicsModule).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return peerboard.FieldErrors("Check the highlighted fields.", map[string]string{
				"code": "Your organization already has a course with this code.",
			})
		} else if err != nil {
			return mapError(err, "Course")
		}
		var comps []int16
		var hours []float64
		for _, comp := range peerboard.AllCompetencies() {
			if h := c.CompetencyHours[comp]; h > 0 {
				comps, hours = append(comps, int16(comp)), append(hours, h)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO course_competencies (course_id, competency, hours)
			SELECT $1, comp, h FROM unnest($2::smallint[], $3::numeric[]) AS v(comp, h)`, c.ID, comps, hours); err != nil {
			return mapError(err, "Course")
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "training.course_created", "training_course", c.ID)
		e.After = map[string]any{"organization_id": orgID, "code": c.Code, "title": c.Title, "total_hours": c.TotalHours,
			"includes_ethics_module": c.IncludesEthicsModule, "competency_hours": c.CompetencyHours}
		return insertAudit(ctx, tx, e)
	})
}

// RecordCompletion stores that a person finished one of organization
// orgID's active courses, attaching it to their account when one with a
// confirmed address exists (CreateUser and ConfirmEmail attach later ones:
// an unconfirmed account may belong to someone who typed another's email). A course of another organization is a
// field error, as if it did not exist; the same course, person and date
// recorded twice is an ECONFLICT and stores nothing more.
func (db *DB) RecordCompletion(ctx context.Context, orgID int64, c *peerboard.Completion) error {
	actor := peerboard.UserFromContext(ctx)
	if actor == nil {
		return peerboard.Errorf(peerboard.EUNAUTHORIZED, "Please sign in first.")
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		// Only an organization approved today records training: a lapsed one
		// could otherwise backdate completions into its approval window.
		if _, err := approvedOrganization(ctx, tx, orgID, db.Today(), "record completions"); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			SELECT c.code, c.title, o.name FROM training_courses c
			JOIN training_organizations o ON o.id = c.organization_id
			WHERE c.id = $1 AND c.organization_id = $2 AND c.active`, c.CourseID, orgID).
			Scan(&c.CourseCode, &c.CourseTitle, &c.OrganizationName)
		if errors.Is(err, pgx.ErrNoRows) {
			return peerboard.FieldErrors("Check the highlighted fields.", map[string]string{
				"course_id": "Choose one of your organization's active courses.",
			})
		} else if err != nil {
			return fmt.Errorf("course of organization: %w", err)
		}
		c.OrganizationID = orgID
		err = tx.QueryRow(ctx, `
			INSERT INTO training_completions (course_id, organization_id, person_email, person_name, user_id, completed_on, recorded_by)
			SELECT $1, $2, $3, $4, (SELECT id FROM users WHERE email = $3 AND email_verified_at IS NOT NULL), $5, $6
			ON CONFLICT (course_id, person_email, completed_on) DO NOTHING
			RETURNING id, user_id, created_at`,
			c.CourseID, orgID, c.PersonEmail, c.PersonName, DateOf(c.CompletedOn), actor.ID).
			Scan(&c.ID, &c.UserID, &c.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return peerboard.Errorf(peerboard.ECONFLICT, "This completion is already recorded: %s finished %s on %s.",
				c.PersonEmail, c.CourseCode, c.CompletedOn.Format(time.DateOnly))
		} else if err != nil {
			return mapError(err, "Completion")
		}
		e := peerboard.NewAuditEvent(actor, "", "training.completion_recorded", "training_completion", c.ID)
		e.After = map[string]any{"course_id": c.CourseID, "organization_id": orgID, "person_email": c.PersonEmail,
			"completed_on": c.CompletedOn.Format(time.DateOnly), "user_id": c.UserID}
		return insertAudit(ctx, tx, e)
	})
}

// CompletionsOfOrganization lists the completions organization orgID
// recorded, newest first, limit at a time: pass the last id of a page as
// beforeID for the next (0 for the first). It returns one more than limit
// when there is a next page.
func (db *DB) CompletionsOfOrganization(ctx context.Context, orgID, beforeID int64, limit int) ([]peerboard.Completion, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT tc.id, tc.course_id, c.code, c.title, tc.organization_id, o.name, tc.person_email, tc.person_name,
		       tc.user_id, tc.completed_on, tc.created_at
		FROM training_completions tc
		JOIN training_courses c ON c.id = tc.course_id
		JOIN training_organizations o ON o.id = tc.organization_id
		WHERE tc.organization_id = $1 AND tc.id < $2
		ORDER BY tc.id DESC LIMIT $3`, orgID, beforeID, limit+1)
	if err != nil {
		return nil, fmt.Errorf("completions of organization: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Completion, error) {
		var c peerboard.Completion
		err := r.Scan(&c.ID, &c.CourseID, &c.CourseCode, &c.CourseTitle, &c.OrganizationID, &c.OrganizationName,
			&c.PersonEmail, &c.PersonName, &c.UserID, &c.CompletedOn, &c.CreatedAt)
		return c, err
	})
}
