package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/examfile"
	"github.com/peerboard/peerboard/internal/peerboard"
)

// authorizeExam makes an approved standard applicant eligible to test: an
// authorization with a candidate id for the exam vendor, valid for the
// type's configured number of days from today. Written in the approving
// transaction, with its audit event.
func authorizeExam(ctx context.Context, tx pgx.Tx, a *peerboard.Application, t *peerboard.CredentialType, today time.Time) (*peerboard.ExamAuthorization, error) {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT nextval('exam_candidate_seq')`).Scan(&seq); err != nil {
		return nil, fmt.Errorf("candidate id: %w", err)
	}
	x := &peerboard.ExamAuthorization{
		ApplicationID:    a.ID,
		UserID:           a.ApplicantID,
		CredentialTypeID: t.ID,
		CandidateID:      fmt.Sprintf("%s%07d", t.NumberPrefix, seq),
		ValidFrom:        today,
		ValidUntil:       today.AddDate(0, 0, t.ExamAuthorizationDays),
		Status:           "active",
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO exam_authorizations (application_id, user_id, credential_type_id, candidate_id, valid_from, valid_until)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		x.ApplicationID, x.UserID, x.CredentialTypeID, x.CandidateID, x.ValidFrom, x.ValidUntil).Scan(&x.ID)
	if err != nil {
		return nil, mapError(err, "An exam authorization for this application")
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "exam.authorized", "exam_authorization", x.ID)
	e.After = map[string]any{"application_id": a.ID, "candidate_id": x.CandidateID,
		"valid_from": x.ValidFrom.Format(time.DateOnly), "valid_until": x.ValidUntil.Format(time.DateOnly)}
	if err := insertAudit(ctx, tx, e); err != nil {
		return nil, err
	}
	return x, nil
}

const examAuthorizationSelect = `SELECT id, application_id, user_id, credential_type_id, candidate_id,
	valid_from, valid_until, status, attempts FROM exam_authorizations`

func scanExamAuthorization(row pgx.Row) (*peerboard.ExamAuthorization, error) {
	var x peerboard.ExamAuthorization
	err := row.Scan(&x.ID, &x.ApplicationID, &x.UserID, &x.CredentialTypeID, &x.CandidateID,
		&x.ValidFrom, &x.ValidUntil, &x.Status, &x.Attempts)
	if err != nil {
		return nil, mapError(err, "Exam authorization")
	}
	return &x, nil
}

// ExamAuthorizationsOfUser lists a person's exam authorizations, newest first.
func (db *DB) ExamAuthorizationsOfUser(ctx context.Context, userID int64) ([]peerboard.ExamAuthorization, error) {
	rows, err := db.Pool.Query(ctx, examAuthorizationSelect+` WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("exam authorizations: %w", err)
	}
	defer rows.Close()
	var out []peerboard.ExamAuthorization
	for rows.Next() {
		x, err := scanExamAuthorization(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

// ImportExamResults validates an exam vendor's results file and, when every
// row is good, imports it in one transaction: the import record, each new
// result (a result already stored is skipped, so the same file imported
// twice changes nothing), and what each new result does to its
// authorization: a pass within the authorization's dates issues the
// credential, a fail counts towards the attempt limit, a no-show forfeits
// the authorization. New results take effect in exam-date order. A result
// is stored but does not count (no attempt, no credential, no forfeit)
// when its authorization is no longer active or when it is dated fewer
// than the type's retake wait days after the authorization's previous
// counted fail; the report lists it as not counted, with the reason. When
// any row is bad (including candidate ids the board never issued) the
// report lists them and nothing is stored. The error is only for failures
// of the database.
func (db *DB) ImportExamResults(ctx context.Context, filename string, data []byte) (*peerboard.ExamImportReport, error) {
	sum := sha256.Sum256(data)
	rep := &peerboard.ExamImportReport{Filename: filename, SHA256: hex.EncodeToString(sum[:])}
	today := db.Today()
	rows, rowErrs, err := examfile.Parse(bytes.NewReader(data), today)
	if err != nil {
		return nil, err
	}
	if len(rowErrs) > 0 {
		rep.Errors = rowErrs
		return rep, nil
	}
	rep.Rows = len(rows)
	err = db.Transact(ctx, func(tx pgx.Tx) error {
		*rep = peerboard.ExamImportReport{Filename: rep.Filename, SHA256: rep.SHA256, Rows: rep.Rows} // a retry starts clean
		return importExamRows(ctx, tx, rep, rows, today)
	})
	if err != nil {
		return nil, fmt.Errorf("import exam results %q: %w", filename, err)
	}
	return rep, nil
}

// importExamRows does the work of ImportExamResults inside tx.
func importExamRows(ctx context.Context, tx pgx.Tx, rep *peerboard.ExamImportReport, rows []examfile.Row, today time.Time) error {
	// Lock every authorization the file names, in id order so two imports
	// cannot deadlock; one query whatever the number of rows.
	candidates := make([]string, 0, len(rows))
	for _, r := range rows {
		candidates = append(candidates, r.CandidateID)
	}
	qr, err := tx.Query(ctx, examAuthorizationSelect+` WHERE candidate_id = ANY($1) ORDER BY id FOR UPDATE`, candidates)
	if err != nil {
		return fmt.Errorf("lock authorizations: %w", err)
	}
	auths := map[string]*peerboard.ExamAuthorization{}
	var typeIDs []int64
	for qr.Next() {
		x, err := scanExamAuthorization(qr)
		if err != nil {
			qr.Close()
			return err
		}
		auths[x.CandidateID] = x
		typeIDs = append(typeIDs, x.CredentialTypeID)
	}
	qr.Close()
	if err := qr.Err(); err != nil {
		return fmt.Errorf("lock authorizations: %w", err)
	}
	for _, r := range rows {
		if auths[r.CandidateID] == nil {
			rep.Errors = append(rep.Errors, peerboard.ExamRowError{Line: r.Line,
				Reason: fmt.Sprintf("candidate_id %s is not one the board issued.", r.CandidateID)})
		}
	}
	if len(rep.Errors) > 0 {
		return nil // nothing written yet
	}
	types, err := credentialTypesByID(ctx, tx, typeIDs)
	if err != nil {
		return err
	}
	// Read before this file's rows are inserted, so it holds earlier imports only.
	fails, err := countedFails(ctx, tx, auths, types)
	if err != nil {
		return err
	}

	var prev time.Time
	err = tx.QueryRow(ctx, `SELECT imported_at FROM exam_imports WHERE sha256 = $1 ORDER BY id LIMIT 1`, rep.SHA256).Scan(&prev)
	switch {
	case err == nil:
		rep.PreviousImportAt = &prev
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("previous import: %w", err)
	}

	actor := peerboard.UserFromContext(ctx)
	var actorID *int64
	if actor != nil {
		actorID = &actor.ID
	}
	if err := tx.QueryRow(ctx, `
		INSERT INTO exam_imports (filename, sha256, row_count, new_results, imported_by)
		VALUES ($1, $2, $3, 0, $4) RETURNING id`,
		rep.Filename, rep.SHA256, rep.Rows, actorID).Scan(&rep.ImportID); err != nil {
		return mapError(err, "Exam import")
	}

	n := len(rows)
	authIDs, cands, dates, forms := make([]int64, n), make([]string, n), make([]time.Time, n), make([]string, n)
	scores, passed, outcomes := make([]int32, n), make([]bool, n), make([]string, n)
	for i, r := range rows {
		authIDs[i], cands[i], dates[i], forms[i] = auths[r.CandidateID].ID, r.CandidateID, r.ExamDate, r.ExamForm
		scores[i], passed[i], outcomes[i] = int32(r.ScaledScore), r.Outcome == peerboard.ExamPass, string(r.Outcome)
	}
	ins, err := tx.Query(ctx, `
		INSERT INTO exam_results (authorization_id, candidate_id, exam_date, exam_form, scaled_score, passed, outcome, import_id)
		SELECT a, c, d, f, s, p, o, $8
		FROM unnest($1::bigint[], $2::text[], $3::date[], $4::text[], $5::int[], $6::bool[], $7::text[]) AS v(a, c, d, f, s, p, o)
		ON CONFLICT (candidate_id, exam_date, exam_form) DO NOTHING
		RETURNING candidate_id, exam_date, exam_form`,
		authIDs, cands, dates, forms, scores, passed, outcomes, rep.ImportID)
	if err != nil {
		return fmt.Errorf("insert exam results: %w", err)
	}
	type resultKey struct {
		c string
		d time.Time
		f string
	}
	inserted := map[resultKey]bool{}
	for ins.Next() {
		var k resultKey
		if err := ins.Scan(&k.c, &k.d, &k.f); err != nil {
			ins.Close()
			return err
		}
		inserted[k] = true
	}
	ins.Close()
	if err := ins.Err(); err != nil {
		return mapError(err, "Exam result")
	}

	var fresh []examfile.Row
	for _, r := range rows {
		if inserted[resultKey{r.CandidateID, r.ExamDate, r.ExamForm}] {
			fresh = append(fresh, r)
		}
	}
	rep.NewResults = len(fresh)
	rep.AlreadyImported = rep.Rows - rep.NewResults
	// Sittings take effect in the order they happened.
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].ExamDate.Before(fresh[j].ExamDate) })

	changed := map[int64]*peerboard.ExamAuthorization{}
	before := map[int64]string{}
	for _, r := range fresh {
		x := auths[r.CandidateID]
		note := peerboard.ExamImportNote{Line: r.Line, CandidateID: r.CandidateID, ExamDate: r.ExamDate}
		if x.Status != "active" {
			note.Message = fmt.Sprintf("Not counted: the authorization was already %s.", x.Status)
			rep.NotCounted = append(rep.NotCounted, note)
			continue
		}
		t := types[x.CredentialTypeID]
		if prev, ok := fails[x.ID].latest(r.ExamDate); ok && withinRetakeWait(prev, r.ExamDate, t) {
			note.Message = retakeTooSoon(r, prev, t)
			rep.NotCounted = append(rep.NotCounted, note)
			continue
		}
		if _, ok := before[x.ID]; !ok {
			before[x.ID] = x.Status
		}
		changed[x.ID] = x
		x.Attempts++
		switch r.Outcome {
		case peerboard.ExamPass:
			if r.ExamDate.Before(x.ValidFrom) || r.ExamDate.After(x.ValidUntil) {
				note.Message = fmt.Sprintf("Pass dated outside the authorization (%s to %s): no credential issued.",
					x.ValidFrom.Format(time.DateOnly), x.ValidUntil.Format(time.DateOnly))
				rep.OutsideWindow = append(rep.OutsideWindow, note)
				continue
			}
			c, why, err := issueOnPass(ctx, tx, x, t, today)
			if err != nil {
				return err
			}
			if c == nil {
				note.Message = why
				rep.Ignored = append(rep.Ignored, note)
				continue
			}
			x.Status = "used"
			note.Message = fmt.Sprintf("Credential %s issued to %s %s.", c.Number, c.FirstName, c.LastName)
			rep.Issued = append(rep.Issued, note)
		case peerboard.ExamFail:
			fails[x.ID] = fails[x.ID].add(r.ExamDate)
			if x.Attempts >= t.ExamMaxAttempts {
				x.Status = "exhausted"
				note.Message = fmt.Sprintf("Fail on attempt %d of %d: the authorization is exhausted.", x.Attempts, t.ExamMaxAttempts)
				rep.Exhausted = append(rep.Exhausted, note)
			}
		case peerboard.ExamNoShow:
			x.Status = "forfeited"
			note.Message = "No-show: the authorization is forfeited."
			rep.Forfeited = append(rep.Forfeited, note)
		}
	}
	if err := updateAuthorizations(ctx, tx, changed, before); err != nil {
		return err
	}

	if _, err := tx.Exec(ctx, `UPDATE exam_imports SET new_results = $2 WHERE id = $1`, rep.ImportID, rep.NewResults); err != nil {
		return fmt.Errorf("update exam import: %w", err)
	}
	e := peerboard.NewAuditEvent(actor, "", "exam.results_imported", "exam_import", rep.ImportID)
	e.After = map[string]any{"filename": rep.Filename, "sha256": rep.SHA256, "rows": rep.Rows,
		"new_results": rep.NewResults, "issued": len(rep.Issued), "outside_window": len(rep.OutsideWindow),
		"exhausted": len(rep.Exhausted), "forfeited": len(rep.Forfeited)}
	return insertAudit(ctx, tx, e)
}

// failDates are the dates of an authorization's counted fails, oldest first.
type failDates []time.Time

// latest is the last counted fail dated on or before d: the failed attempt
// a sitting on d is a retake of.
func (f failDates) latest(d time.Time) (time.Time, bool) {
	i := sort.Search(len(f), func(i int) bool { return f[i].After(d) })
	if i == 0 {
		return time.Time{}, false
	}
	return f[i-1], true
}

// add records a counted fail on d, keeping the dates in order.
func (f failDates) add(d time.Time) failDates {
	i := sort.Search(len(f), func(i int) bool { return f[i].After(d) })
	return slices.Insert(f, i, d)
}

// withinRetakeWait reports whether a sitting on d comes fewer than the
// type's retake wait days after the failed attempt of fail.
func withinRetakeWait(fail, d time.Time, t *peerboard.CredentialType) bool {
	return d.Before(fail.AddDate(0, 0, t.ExamRetakeWaitDays))
}

// retakeTooSoon says why a sitting inside the retake wait did not count.
func retakeTooSoon(r examfile.Row, fail time.Time, t *peerboard.CredentialType) string {
	msg := fmt.Sprintf("Not counted: the retake on %s is within the %d-day wait after the failed attempt of %s; a retake counts from %s.",
		r.ExamDate.Format(time.DateOnly), t.ExamRetakeWaitDays, fail.Format(time.DateOnly),
		fail.AddDate(0, 0, t.ExamRetakeWaitDays).Format(time.DateOnly))
	if r.Outcome == peerboard.ExamPass {
		msg += " No credential was issued."
	}
	return msg
}

// countedFails reads, in one query, the fails already stored for the
// active authorizations and replays the retake wait over them, oldest
// first, so a fail that did not count (inside the wait) does not restart
// the wait. Results of authorizations no longer active are not read: none
// of their new results can count.
func countedFails(ctx context.Context, tx pgx.Tx, auths map[string]*peerboard.ExamAuthorization, types map[int64]*peerboard.CredentialType) (map[int64]failDates, error) {
	var ids []int64
	typeOf := map[int64]*peerboard.CredentialType{}
	for _, x := range auths {
		if x.Status == "active" {
			ids = append(ids, x.ID)
			typeOf[x.ID] = types[x.CredentialTypeID]
		}
	}
	out := map[int64]failDates{}
	if len(ids) == 0 {
		return out, nil
	}
	// A NULL outcome predates no-shows: it was a fail when not passed.
	rows, err := tx.Query(ctx, `
		SELECT authorization_id, exam_date FROM exam_results
		WHERE authorization_id = ANY($1) AND NOT passed AND outcome IS DISTINCT FROM 'no_show'
		ORDER BY authorization_id, exam_date, id`, ids)
	if err != nil {
		return nil, fmt.Errorf("earlier fails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d time.Time
		if err := rows.Scan(&id, &d); err != nil {
			return nil, err
		}
		if prev, ok := out[id].latest(d); ok && withinRetakeWait(prev, d, typeOf[id]) {
			continue
		}
		out[id] = out[id].add(d)
	}
	return out, rows.Err()
}

// issueOnPass issues the credential of an authorization's application. It
// returns no credential, with the reason, when the application is no
// longer approved or the person already holds this credential type.
func issueOnPass(ctx context.Context, tx pgx.Tx, x *peerboard.ExamAuthorization, t *peerboard.CredentialType, today time.Time) (*peerboard.Credential, string, error) {
	app, err := lockApplication(ctx, tx, x.ApplicationID)
	if err != nil {
		return nil, "", err
	}
	if app.Status != peerboard.AppApproved {
		return nil, fmt.Sprintf("Pass stored; the application is %s, so no credential was issued.", strings.ToLower(app.Status.Label())), nil
	}
	var held bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM credentials WHERE user_id = $1 AND credential_type_id = $2)`,
		app.ApplicantID, t.ID).Scan(&held); err != nil {
		return nil, "", fmt.Errorf("existing credential: %w", err)
	}
	if held {
		return nil, "Pass stored; this person already holds the credential.", nil
	}
	c, err := issueCredential(ctx, tx, app, t, today)
	return c, "", err
}

// updateAuthorizations writes the attempts and status of the changed
// authorizations in one statement, with an audit event per status change.
func updateAuthorizations(ctx context.Context, tx pgx.Tx, changed map[int64]*peerboard.ExamAuthorization, before map[int64]string) error {
	if len(changed) == 0 {
		return nil
	}
	var ids []int64
	var attempts []int32
	var statuses []string
	for id, x := range changed {
		ids, attempts, statuses = append(ids, id), append(attempts, int32(x.Attempts)), append(statuses, x.Status)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE exam_authorizations x SET attempts = v.attempts, status = v.status
		FROM unnest($1::bigint[], $2::int[], $3::text[]) AS v(id, attempts, status)
		WHERE x.id = v.id`, ids, attempts, statuses); err != nil {
		return mapError(err, "Exam authorization")
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		x := changed[id]
		if x.Status == before[id] {
			continue
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "exam.authorization_"+x.Status, "exam_authorization", id)
		e.Before = map[string]any{"status": before[id]}
		e.After = map[string]any{"status": x.Status, "attempts": x.Attempts}
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// credentialTypesByID reads several credential types in one query.
func credentialTypesByID(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*peerboard.CredentialType, error) {
	rows, err := tx.Query(ctx, `SELECT `+credentialTypeColumns+` FROM credential_types WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("credential types: %w", err)
	}
	defer rows.Close()
	out := map[int64]*peerboard.CredentialType{}
	for rows.Next() {
		t, err := scanCredentialType(rows)
		if err != nil {
			return nil, err
		}
		out[t.ID] = t
	}
	return out, rows.Err()
}

// ExamImports lists past imports, newest first, limit at a time:
// pass the last id of a page as beforeID for the next (0 for the first).
// It returns one more than limit when there is a next page.
func (db *DB) ExamImports(ctx context.Context, beforeID int64, limit int) ([]peerboard.ExamImport, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT i.id, i.filename, i.sha256, i.row_count, i.new_results, coalesce(u.name, 'System'), i.imported_at
		FROM exam_imports i LEFT JOIN users u ON u.id = i.imported_by
		WHERE i.id < $1 ORDER BY i.id DESC LIMIT $2`, beforeID, limit+1)
	if err != nil {
		return nil, fmt.Errorf("exam imports: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.ExamImport, error) {
		var i peerboard.ExamImport
		err := r.Scan(&i.ID, &i.Filename, &i.SHA256, &i.RowCount, &i.NewResults, &i.ImportedByName, &i.ImportedAt)
		return i, err
	})
}
