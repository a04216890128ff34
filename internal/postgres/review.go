package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// QueuePageSize is how many cases the reviewer queue shows at once.
const QueuePageSize = 25

// InfoRequestDays is how long an applicant has to answer a request for
// information before the case may be marked abandoned.
const InfoRequestDays = 30

// QueueCursor is a position in the reviewer queue: the keyset of a case.
type QueueCursor struct {
	SubmittedAt time.Time
	ID          int64
}

// String encodes the cursor for a URL.
func (c QueueCursor) String() string {
	return strconv.FormatInt(c.SubmittedAt.UnixMicro(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseQueueCursor decodes a cursor made by String; anything else is EMALFORMED.
func ParseQueueCursor(s string) (*QueueCursor, error) {
	us, id, ok := strings.Cut(s, "-")
	micros, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return nil, peerboard.Errorf(peerboard.EMALFORMED, "That page link is not valid. Start from the first page of the queue.")
	}
	return &QueueCursor{SubmittedAt: time.UnixMicro(micros).UTC(), ID: n}, nil
}

// QueueFilter selects and pages the reviewer queue. An empty Status means
// every case waiting for the board (submitted, under review, resubmitted);
// an empty Pathway means both. At most one of After and Before is set.
type QueueFilter struct {
	Status  peerboard.ApplicationStatus
	Pathway peerboard.Pathway
	After   *QueueCursor
	Before  *QueueCursor
	Limit   int // QueuePageSize when zero
}

// QueueItem is one case in the reviewer queue.
type QueueItem struct {
	ID                 int64
	ApplicantName      string
	CredentialTypeCode string
	Pathway            peerboard.Pathway
	Status             peerboard.ApplicationStatus
	SubmittedAt        time.Time
	AssignedToName     string // "" when nobody has started the review
}

// QueuePage is one page of the queue, oldest submission first, with the
// cursors of the neighbouring pages (nil when there is none).
type QueuePage struct {
	Items      []QueueItem
	Next, Prev *QueueCursor
}

// waitingStatuses are the statuses of applications_queue_idx's predicate.
var waitingStatuses = []peerboard.ApplicationStatus{peerboard.AppSubmitted, peerboard.AppUnderReview, peerboard.AppResubmitted}

// ReviewQueue returns one page of cases, oldest submission first. The
// default view reads applications_queue_idx (a partial index on the waiting
// statuses); a status or pathway filter reads applications_status_queue_idx
// once per (status, pathway) pair (at most six) and merges their first
// limit+1 rows, so no query sorts or reads more than a few pages' worth.
func (db *DB) ReviewQueue(ctx context.Context, f QueueFilter) (*QueuePage, error) {
	query, args, limit, err := queueQuery(f)
	if err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (QueueItem, error) {
		var it QueueItem
		err := r.Scan(&it.ID, &it.ApplicantName, &it.CredentialTypeCode, &it.Pathway, &it.Status, &it.SubmittedAt, &it.AssignedToName)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	items, next, prev := keysetPage(items, limit, f.After != nil, f.Before != nil,
		func(it QueueItem) QueueCursor { return QueueCursor{it.SubmittedAt, it.ID} })
	return &QueuePage{Items: items, Next: next, Prev: prev}, nil
}

// keysetPage trims a page fetched with one extra row (limit+1, in query
// order) and works out the cursors of its neighbours: paging backward reads
// in reverse, so the rows are put back in queue order.
func keysetPage[T any](items []T, limit int, after, backward bool, key func(T) QueueCursor) (page []T, next, prev *QueueCursor) {
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	if backward {
		slices.Reverse(items)
	}
	if len(items) == 0 {
		return items, nil, nil
	}
	first, last := key(items[0]), key(items[len(items)-1])
	switch {
	case backward:
		next = &last // we came from there
		if more {
			prev = &first
		}
	default:
		if more {
			next = &last
		}
		if after {
			prev = &first
		}
	}
	return items, next, prev
}

// queueQuery builds ReviewQueue's SQL for f, with its arguments and page size.
func queueQuery(f QueueFilter) (query string, args []any, limit int, err error) {
	if f.Status != "" && (!f.Status.Valid() || f.Status == peerboard.AppDraft) {
		return "", nil, 0, peerboard.FieldErrors("Please choose a listed status", map[string]string{"status": "Choose a listed status"})
	}
	if f.Pathway != "" && !f.Pathway.Valid() {
		return "", nil, 0, peerboard.FieldErrors("Please choose a listed pathway", map[string]string{"pathway": "Choose a listed pathway"})
	}
	limit = f.Limit
	if limit <= 0 {
		limit = QueuePageSize
	}
	cmp, dir := ">", "ASC"
	cur := f.After
	if f.Before != nil {
		cmp, dir, cur = "<", "DESC", f.Before
	}
	args = []any{limit + 1}
	keyset := ""
	if cur != nil {
		args = append(args, cur.SubmittedAt, cur.ID)
		keyset = fmt.Sprintf(" AND (submitted_at, id) %s ($2, $3)", cmp)
	}
	var ids string
	if f.Status == "" && f.Pathway == "" {
		// The predicate must match applications_queue_idx's literally.
		ids = `SELECT id, submitted_at FROM applications
			WHERE status IN ('submitted', 'under_review', 'resubmitted')` + keyset +
			` ORDER BY submitted_at ` + dir + `, id ` + dir + ` LIMIT $1`
	} else {
		statuses := waitingStatuses
		if f.Status != "" {
			statuses = []peerboard.ApplicationStatus{f.Status}
		}
		pathways := []peerboard.Pathway{peerboard.PathwayStandard, peerboard.PathwayGrandparenting}
		if f.Pathway != "" {
			pathways = []peerboard.Pathway{f.Pathway}
		}
		var branches []string
		for _, s := range statuses {
			for _, p := range pathways {
				args = append(args, string(s), string(p))
				branches = append(branches, fmt.Sprintf(`(SELECT id, submitted_at FROM applications
					WHERE status = $%d AND pathway = $%d AND submitted_at IS NOT NULL%s
					ORDER BY submitted_at %s, id %s LIMIT $1)`, len(args)-1, len(args), keyset, dir, dir))
			}
		}
		ids = strings.Join(branches, " UNION ALL ")
	}
	query = `
		SELECT a.id, u.name, t.code, a.pathway, a.status, a.submitted_at, coalesce(r.name, '')
		FROM (` + ids + `) q
		JOIN applications a ON a.id = q.id
		JOIN users u ON u.id = a.applicant_id
		JOIN credential_types t ON t.id = a.credential_type_id
		LEFT JOIN users r ON r.id = a.assigned_to
		ORDER BY q.submitted_at ` + dir + `, q.id ` + dir + ` LIMIT $1`
	return query, args, limit, nil
}

// ExplainReviewQueue returns the query plan of ReviewQueue for f, so tests
// and benchmarks can show that the queue reads its indexes.
func (db *DB) ExplainReviewQueue(ctx context.Context, f QueueFilter) (string, error) {
	query, args, _, err := queueQuery(f)
	if err != nil {
		return "", err
	}
	rows, err := db.Pool.Query(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		return "", fmt.Errorf("explain review queue: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// StartReview takes a submitted or resubmitted case the reviewer in ctx saw
// at version: it becomes under review, assigned to them.
func (db *DB) StartReview(ctx context.Context, id int64, version int) (*peerboard.Application, error) {
	u := peerboard.UserFromContext(ctx)
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		if !peerboard.CanDecideApplication(u, a) {
			return peerboard.Errorf(peerboard.EFORBIDDEN, "You cannot review your own application.")
		}
		return transitionApplication(ctx, tx, a, transition{To: peerboard.AppUnderReview, By: peerboard.ActorStaff,
			Version: version, Set: map[string]any{"assigned_to": u.ID}})
	})
	if err != nil {
		return nil, err
	}
	return db.ApplicationByID(ctx, id)
}

// DecisionOutcome is what a decision produced: the application as it now
// stands and, for an approval, the exam authorization or the credential.
type DecisionOutcome struct {
	Application *peerboard.Application
	Exam        *peerboard.ExamAuthorization
	Credential  *peerboard.Credential
}

// DecideApplication records the decision of the reviewer in ctx on a case
// they saw at version, in one transaction: a submitted or resubmitted case
// first goes under review; approval issues an exam authorization (standard
// pathway with an exam) or the credential (grandparenting, or no exam);
// denial opens the appeal window; a request for information sets the
// deadline and the message. Of two reviewers deciding at once, the second
// gets an ECONFLICT and changes nothing. Reviewers never decide their own case.
func (db *DB) DecideApplication(ctx context.Context, id int64, version int, d peerboard.Decision, reason string) (*DecisionOutcome, error) {
	if err := peerboard.ValidateDecision(d, reason); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	u := peerboard.UserFromContext(ctx)
	out := &DecisionOutcome{}
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		a, err := lockApplication(ctx, tx, id)
		if err != nil {
			return err
		}
		if !peerboard.CanDecideApplication(u, a) {
			return peerboard.Errorf(peerboard.EFORBIDDEN, "You cannot decide your own application; another reviewer must.")
		}
		if version != a.Version {
			return staleError(a)
		}
		if a.Status == peerboard.AppSubmitted || a.Status == peerboard.AppResubmitted {
			if err := transitionApplication(ctx, tx, a, transition{To: peerboard.AppUnderReview, By: peerboard.ActorStaff,
				Version: a.Version, Set: map[string]any{"assigned_to": u.ID}}); err != nil {
				return err
			}
		}
		if d == peerboard.DecisionApprove {
			if err := db.checkApprovable(ctx, tx, a); err != nil {
				return err
			}
		}
		today := db.Today()
		set := map[string]any{}
		switch d {
		case peerboard.DecisionApprove, peerboard.DecisionDeny:
			set["decided_at"], set["decided_by"] = db.Now(), u.ID
			if d == peerboard.DecisionDeny {
				t, err := credentialTypeTx(ctx, tx, a.CredentialTypeID)
				if err != nil {
					return err
				}
				set["appeal_until"] = today.AddDate(0, 0, t.AppealDays)
			}
		case peerboard.DecisionRequestInfo:
			set["info_deadline"] = today.AddDate(0, 0, InfoRequestDays)
		}
		if err := transitionApplication(ctx, tx, a, transition{To: d.Target(), By: peerboard.ActorStaff,
			Version: a.Version, Message: reason, Set: set}); err != nil {
			return err
		}
		if d != peerboard.DecisionApprove {
			return nil
		}
		t, err := credentialTypeTx(ctx, tx, a.CredentialTypeID)
		if err != nil {
			return err
		}
		if a.Pathway == peerboard.PathwayStandard && t.ExamRequired {
			out.Exam, err = authorizeExam(ctx, tx, a, t, today)
		} else {
			out.Credential, err = issueCredential(ctx, tx, a, t, today)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Application, err = db.ApplicationByID(ctx, id); err != nil {
		return nil, err
	}
	return out, nil
}

// CaseAuditTrail returns every audit event of an application and of the
// records its decision created (exam authorization, credential), oldest
// first. Each part reads audit_events_entity_idx.
func (db *DB) CaseAuditTrail(ctx context.Context, applicationID int64) ([]peerboard.AuditEvent, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT e.id, e.occurred_at, e.actor_id, e.actor_role, coalesce(u.name, 'System'), e.action,
		       e.entity_type, e.entity_id, e.before, e.after, e.reason, e.request_id
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE (e.entity_type = 'application' AND e.entity_id = $1)
		   OR (e.entity_type = 'exam_authorization' AND e.entity_id IN (SELECT id FROM exam_authorizations WHERE application_id = $1))
		   OR (e.entity_type = 'credential' AND e.entity_id IN (SELECT id FROM credentials WHERE application_id = $1))
		ORDER BY e.id`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("case audit trail: %w", err)
	}
	return pgx.CollectRows(rows, scanAuditEvent)
}

// checkApprovable refuses to approve a case whose checklist has missing
// requirements: the reviewer should request information or deny instead.
// Requirements met later (the exam) do not block approval.
func (db *DB) checkApprovable(ctx context.Context, tx pgx.Tx, a *peerboard.Application) error {
	var err error
	if a.Attestations, err = attestations(ctx, tx, a.ID); err != nil {
		return err
	}
	in, err := db.ChecklistInput(ctx, a)
	if err != nil {
		return err
	}
	var missing []string
	for _, r := range peerboard.Checklist(in) {
		if r.State == peerboard.ReqMissing {
			missing = append(missing, r.Label)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return peerboard.FieldErrors("This case cannot be approved yet.", map[string]string{"decision": "Requirements are missing: " +
		strings.Join(missing, "; ") + ". Request information or deny instead."})
}
