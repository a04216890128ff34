package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// TrainingRecordsOfUser returns the training a person completed, with each
// course's competency hours and whether the organization's approval covered
// the completion date. Two queries, whatever the number of records.
func (db *DB) TrainingRecordsOfUser(ctx context.Context, userID int64) ([]peerboard.TrainingRecord, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT tc.course_id, c.title, o.name,
		       o.approved_from IS NOT NULL AND tc.completed_on >= o.approved_from
		         AND (o.approved_until IS NULL OR tc.completed_on <= o.approved_until),
		       tc.completed_on, c.total_hours, c.includes_ethics_module
		FROM training_completions tc
		JOIN training_courses c ON c.id = tc.course_id
		JOIN training_organizations o ON o.id = tc.organization_id
		WHERE tc.user_id = $1
		ORDER BY tc.completed_on, tc.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("training records: %w", err)
	}
	var courseIDs []int64
	records, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.TrainingRecord, error) {
		var t peerboard.TrainingRecord
		var courseID int64
		err := r.Scan(&courseID, &t.CourseTitle, &t.OrganizationName, &t.OrganizationApproved,
			&t.CompletedOn, &t.TotalHours, &t.IncludesEthicsModule)
		courseIDs = append(courseIDs, courseID)
		return t, err
	})
	if err != nil || len(records) == 0 {
		return records, err
	}
	hours, err := db.competencyHours(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	for i := range records {
		records[i].CompetencyHours = hours[courseIDs[i]]
	}
	return records, nil
}

// competencyHours loads the competency hours of several courses at once.
func (db *DB) competencyHours(ctx context.Context, courseIDs []int64) (map[int64]map[peerboard.Competency]float64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT course_id, competency, hours FROM course_competencies
		WHERE course_id = ANY($1)`, courseIDs)
	if err != nil {
		return nil, fmt.Errorf("competency hours: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[peerboard.Competency]float64{}
	for rows.Next() {
		var id int64
		var c peerboard.Competency
		var h float64
		if err := rows.Scan(&id, &c, &h); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[peerboard.Competency]float64{}
		}
		out[id][c] = h
	}
	return out, rows.Err()
}

// ExamRecordsOfUser returns a person's exam results, oldest first.
func (db *DB) ExamRecordsOfUser(ctx context.Context, userID int64) ([]peerboard.ExamRecord, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT r.exam_date, r.passed, r.scaled_score
		FROM exam_results r JOIN exam_authorizations x ON x.id = r.authorization_id
		WHERE x.user_id = $1 ORDER BY r.exam_date, r.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("exam records: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.ExamRecord, error) {
		var e peerboard.ExamRecord
		err := r.Scan(&e.ExamDate, &e.Passed, &e.ScaledScore)
		return e, err
	})
}

// ChecklistInput gathers what the requirement checklist of application a
// is computed from: its type, attestations, training and exam results.
func (db *DB) ChecklistInput(ctx context.Context, a *peerboard.Application) (peerboard.ChecklistInput, error) {
	t, err := db.CredentialTypeByID(ctx, a.CredentialTypeID)
	if err != nil {
		return peerboard.ChecklistInput{}, err
	}
	training, err := db.TrainingRecordsOfUser(ctx, a.ApplicantID)
	if err != nil {
		return peerboard.ChecklistInput{}, err
	}
	exams, err := db.ExamRecordsOfUser(ctx, a.ApplicantID)
	if err != nil {
		return peerboard.ChecklistInput{}, err
	}
	return peerboard.ChecklistInput{
		Type:                     *t,
		Pathway:                  a.Pathway,
		Signed:                   a.Signed(),
		LivedExperience:          a.LivedExperience,
		Training:                 training,
		SupervisedHours:          a.SupervisedHours,
		PriorTrainingKind:        a.PriorTrainingKind,
		PriorTrainingCompletedOn: a.PriorTrainingCompletedOn,
		Exams:                    exams,
		Today:                    db.Today(),
	}, nil
}
