package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// AuditProofDays is how long an audited holder has to upload proof.
const AuditProofDays = 30

// renewalSelect reads a renewal with its credential, holder and assignee.
const renewalSelect = `SELECT r.id, r.credential_id, c.number, c.credential_type_id, t.code, t.name,
	r.holder_id, u.name, u.email, r.cycle_start, r.cycle_end, r.status, r.audit_selected, r.board_message,
	r.info_deadline, r.submitted_at, r.decided_at, r.assigned_to, coalesce(a.name, ''), r.version, r.updated_at
	FROM renewals r
	JOIN credentials c ON c.id = r.credential_id
	JOIN credential_types t ON t.id = c.credential_type_id
	JOIN users u ON u.id = r.holder_id
	LEFT JOIN users a ON a.id = r.assigned_to`

func scanRenewal(row pgx.Row) (*peerboard.Renewal, error) {
	var r peerboard.Renewal
	err := row.Scan(&r.ID, &r.CredentialID, &r.CredentialNumber, &r.CredentialTypeID, &r.CredentialTypeCode,
		&r.CredentialTypeName, &r.HolderID, &r.HolderName, &r.HolderEmail, &r.CycleStart, &r.CycleEnd, &r.Status,
		&r.AuditSelected, &r.BoardMessage, &r.InfoDeadline, &r.SubmittedAt, &r.DecidedAt, &r.AssignedTo,
		&r.AssignedToName, &r.Version, &r.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Renewal")
	}
	return &r, nil
}

func lockRenewal(ctx context.Context, tx pgx.Tx, id int64) (*peerboard.Renewal, error) {
	return scanRenewal(tx.QueryRow(ctx, renewalSelect+` WHERE r.id = $1 FOR UPDATE OF r`, id))
}

func renewalAttestations(ctx context.Context, q querier, id int64) ([]peerboard.Attestation, error) {
	rows, err := q.Query(ctx, `SELECT kind, text_version, signed_at FROM renewal_attestations
		WHERE renewal_id = $1 ORDER BY kind`, id)
	if err != nil {
		return nil, fmt.Errorf("renewal attestations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (peerboard.Attestation, error) {
		var at peerboard.Attestation
		err := r.Scan(&at.Kind, &at.TextVersion, &at.SignedAt)
		return at, err
	})
}

// RenewalByID returns a renewal with its attestations. It does not check
// who asks: handlers apply peerboard.CanViewRenewal and answer 404.
func (db *DB) RenewalByID(ctx context.Context, id int64) (*peerboard.Renewal, error) {
	r, err := scanRenewal(db.Pool.QueryRow(ctx, renewalSelect+` WHERE r.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if r.Attestations, err = renewalAttestations(ctx, db.Pool, id); err != nil {
		return nil, err
	}
	return r, nil
}

// RenewalsOfHolder lists a holder's renewals, newest first, at most limit
// of them (renewals_holder_idx), for the dashboard.
func (db *DB) RenewalsOfHolder(ctx context.Context, holderID int64, limit int) ([]peerboard.Renewal, error) {
	rows, err := db.Pool.Query(ctx, renewalSelect+` WHERE r.holder_id = $1 ORDER BY r.id DESC LIMIT $2`, holderID, limit)
	if err != nil {
		return nil, fmt.Errorf("renewals of holder: %w", err)
	}
	defer rows.Close()
	var out []peerboard.Renewal
	for rows.Next() {
		r, err := scanRenewal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// RenewalItem is one CE activity of a renewal's cycle with its audit
// ruling and proof file.
type RenewalItem struct {
	peerboard.CEActivity
	AuditStatus   string // "", pending, accepted or rejected
	AuditNote     string
	ProofFileID   string // "" when no proof was uploaded
	ProofFilename string
}

// NeedsRuling reports whether an audited renewal waits for a reviewer to
// accept or reject this item: every self-reported item must be ruled on.
func (it RenewalItem) NeedsRuling() bool {
	return it.Source == peerboard.CESelfReported && it.AuditStatus != "accepted" && it.AuditStatus != "rejected"
}

// holderMatch selects a holder's CE rows: those linked to the account. $1
// is the user id. Rows posted for the holder's email count only once linked,
// which needs a confirmed address (ConfirmEmail, or a posting to a verified
// account): matching by email would hand them to whoever registered it.
const holderMatch = `a.user_id = $1`

// cycleItems reads a holder's CE activities dated inside the cycle, oldest
// first (ce_activities_user_idx). A cycle holds at most a few dozen
// activities, so it is read whole: EvaluateCE needs all.
func cycleItems(ctx context.Context, q querier, holderID int64, start, end time.Time) ([]RenewalItem, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.title, a.provider, a.activity_date, a.hours::float8, a.category, a.source,
		a.audit_status, a.audit_note, coalesce(a.proof_file_id::text, ''), coalesce(f.filename, '')
		FROM ce_activities a LEFT JOIN stored_files f ON f.id = a.proof_file_id
		WHERE `+holderMatch+` AND a.activity_date BETWEEN $2 AND $3
		ORDER BY a.activity_date, a.id`, holderID, DateOf(start), DateOf(end))
	if err != nil {
		return nil, fmt.Errorf("cycle CE: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RenewalItem, error) {
		var it RenewalItem
		err := r.Scan(&it.ID, &it.Title, &it.Provider, &it.Date, &it.Hours, &it.Category, &it.Source,
			&it.AuditStatus, &it.AuditNote, &it.ProofFileID, &it.ProofFilename)
		it.Rejected = it.AuditStatus == "rejected"
		return it, err
	})
}

// evaluate totals items against the type's requirement for the cycle.
func evaluate(t *peerboard.CredentialType, start, end time.Time, items []RenewalItem) peerboard.CEProgress {
	acts := make([]peerboard.CEActivity, len(items))
	for i, it := range items {
		acts[i] = it.CEActivity
	}
	return peerboard.EvaluateCE(*t, start, end, acts)
}

// RenewalOverview is what the holder's renewal page shows for a credential:
// the cycle, its CE and progress, whether renewal is possible today (nil
// Renewable) or why not, and this cycle's renewal if one was submitted.
type RenewalOverview struct {
	Credential           *HeldCredential
	CycleStart, CycleEnd time.Time
	Items                []RenewalItem
	Progress             peerboard.CEProgress
	Renewable            error
	Existing             *peerboard.Renewal
}

// RenewalOverview returns the renewal page of a credential of the holder in
// ctx; another person's credential is ENOTFOUND.
func (db *DB) RenewalOverview(ctx context.Context, credentialID int64) (*RenewalOverview, error) {
	var ov RenewalOverview
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		h, err := ownHeldCredential(ctx, tx, credentialID, false)
		if err != nil {
			return err
		}
		ov.Credential = h
		ov.CycleStart, ov.CycleEnd = peerboard.CycleOf(*h.Type, h.IssuedOn, h.ExpiresOn)
		if ov.Items, err = cycleItems(ctx, tx, h.UserID, ov.CycleStart, ov.CycleEnd); err != nil {
			return err
		}
		ov.Progress = evaluate(h.Type, ov.CycleStart, ov.CycleEnd, ov.Items)
		ov.Renewable = peerboard.CheckRenewable(*h.Type, h.Status, h.ExpiresOn, db.Today(), h.ReinstatementRequired)
		r, err := scanRenewal(tx.QueryRow(ctx, renewalSelect+` WHERE r.credential_id = $1 AND r.cycle_end = $2`,
			h.ID, DateOf(ov.CycleEnd)))
		switch {
		case err == nil:
			ov.Existing = r
		case peerboard.ErrorCode(err) != peerboard.ENOTFOUND:
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ov, nil
}

// alreadySubmitted is the friendly answer to a second renewal of a cycle.
func alreadySubmitted(at time.Time) error {
	return peerboard.Errorf(peerboard.ECONFLICT,
		"You already submitted a renewal for this cycle on %s. Nothing new was sent; here is where it stands.",
		at.Format("January 2, 2006"))
}

// SubmitRenewal renews a credential of the holder in ctx for its current
// cycle, with the signed attestations. It must be inside the window
// (through grace) and the cycle's CE must meet the requirement; otherwise
// EINVALID says what is missing and nothing is stored. In one transaction
// it stores the renewal and attestations, draws the CE audit from rnd
// (crypto/rand.Reader in production) and records the draw, marks the
// cycle's self-reported activities pending if audited, queues the mail and
// writes the audit events. A second submit for the cycle is an ECONFLICT
// that creates nothing.
func (db *DB) SubmitRenewal(ctx context.Context, credentialID int64, signed map[peerboard.AttestationKind]bool, rnd io.Reader) (*peerboard.Renewal, error) {
	var id int64
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		// The lock makes a double click wait, then find the first renewal.
		h, err := ownHeldCredential(ctx, tx, credentialID, true)
		if err != nil {
			return err
		}
		start, end := peerboard.CycleOf(*h.Type, h.IssuedOn, h.ExpiresOn)
		var prev time.Time
		err = tx.QueryRow(ctx, `SELECT submitted_at FROM renewals WHERE credential_id = $1 AND cycle_end = $2`,
			h.ID, DateOf(end)).Scan(&prev)
		if err == nil {
			return alreadySubmitted(prev)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("existing renewal: %w", err)
		}
		today := db.Today()
		if err := peerboard.CheckRenewable(*h.Type, h.Status, h.ExpiresOn, today, h.ReinstatementRequired); err != nil {
			return err
		}
		if err := peerboard.ValidateRenewalAttestations(signed); err != nil {
			return err
		}
		items, err := cycleItems(ctx, tx, h.UserID, start, end)
		if err != nil {
			return err
		}
		if p := evaluate(h.Type, start, end, items); !p.Met {
			return &peerboard.Error{Code: peerboard.EINVALID,
				Message: "Your continuing education does not meet the requirement for this cycle yet: " + strings.Join(p.Missing, "; ") + ".",
				Fields:  map[string]string{"ce": strings.Join(p.Missing, "; ")}}
		}
		selected, err := peerboard.DrawAudit(h.Type.AuditPercent, rnd)
		if err != nil {
			return err
		}
		var deadline *time.Time
		if selected {
			d := today.AddDate(0, 0, AuditProofDays)
			deadline = &d
		}
		err = tx.QueryRow(ctx, `INSERT INTO renewals (credential_id, holder_id, cycle_start, cycle_end, audit_selected,
			info_deadline, submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			h.ID, h.UserID, DateOf(start), DateOf(end), selected, deadline, db.Now()).Scan(&id)
		if err != nil {
			if err = mapError(err, "Renewal"); peerboard.ErrorCode(err) == peerboard.ECONFLICT {
				return alreadySubmitted(db.Now())
			}
			return err
		}
		batch := &pgx.Batch{}
		for _, k := range peerboard.RenewalAttestations() {
			v, _ := peerboard.AttestationText(k)
			batch.Queue(`INSERT INTO renewal_attestations (renewal_id, kind, text_version, signed_at) VALUES ($1, $2, $3, $4)`,
				id, k, v, db.Now())
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("renewal attestations: %w", err)
		}
		actor := peerboard.UserFromContext(ctx)
		e := peerboard.NewAuditEvent(actor, "", "renewal.submitted", "renewal", id)
		e.After = map[string]any{"status": peerboard.RenewalSubmitted, "credential": h.Number,
			"cycle_start": start.Format(time.DateOnly), "cycle_end": end.Format(time.DateOnly), "version": 1}
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
		e = peerboard.NewAuditEvent(actor, "", "renewal.audit_drawn", "renewal", id)
		e.After = map[string]any{"selected": selected, "audit_percent": h.Type.AuditPercent}
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
		mails := []peerboard.Mail{peerboard.RenewalReceivedMail(h.HolderEmail, h.HolderName, h.Number, h.CredentialTypeName, db.BaseURL)}
		if selected {
			_, err := tx.Exec(ctx, `UPDATE ce_activities a SET audit_status = 'pending'
				WHERE `+holderMatch+` AND a.activity_date BETWEEN $2 AND $3
				  AND a.source = 'self_reported' AND a.audit_status = ''`,
				h.UserID, DateOf(start), DateOf(end))
			if err != nil {
				return fmt.Errorf("mark audit items: %w", err)
			}
			mails = append(mails, peerboard.AuditSelectedMail(h.HolderEmail, h.HolderName, h.Number, *deadline, db.BaseURL))
		}
		return db.queueMail(ctx, tx, mails...)
	})
	if err != nil {
		return nil, err
	}
	return db.RenewalByID(ctx, id)
}

// RenewalDetail is a renewal with its credential, the cycle's CE items and
// the progress that counts (rejected items excluded).
type RenewalDetail struct {
	Renewal    *peerboard.Renewal
	Credential *HeldCredential
	Items      []RenewalItem
	Progress   peerboard.CEProgress
}

// Unruled returns how many items an audited renewal still needs a reviewer
// to rule on; 0 when the renewal is not audited.
func (d *RenewalDetail) Unruled() int {
	if !d.Renewal.AuditSelected {
		return 0
	}
	n := 0
	for _, it := range d.Items {
		if it.NeedsRuling() {
			n++
		}
	}
	return n
}

// RenewalDetail returns renewal id with everything its pages show. It does
// not check who asks: handlers apply peerboard.CanViewRenewal.
func (db *DB) RenewalDetail(ctx context.Context, id int64) (*RenewalDetail, error) {
	var d RenewalDetail
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		var err error
		if d.Renewal, err = scanRenewal(tx.QueryRow(ctx, renewalSelect+` WHERE r.id = $1`, id)); err != nil {
			return err
		}
		if d.Renewal.Attestations, err = renewalAttestations(ctx, tx, id); err != nil {
			return err
		}
		return db.fillDetail(ctx, tx, &d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (db *DB) fillDetail(ctx context.Context, tx pgx.Tx, d *RenewalDetail) error {
	var err error
	if d.Credential, err = heldCredential(ctx, tx, d.Renewal.CredentialID, false); err != nil {
		return err
	}
	r := d.Renewal
	if d.Items, err = cycleItems(ctx, tx, r.HolderID, r.CycleStart, r.CycleEnd); err != nil {
		return err
	}
	d.Progress = evaluate(d.Credential.Type, r.CycleStart, r.CycleEnd, d.Items)
	return nil
}

// cycleItem locks one CE activity of the renewal's holder and cycle; any
// other id is ENOTFOUND.
func cycleItem(ctx context.Context, tx pgx.Tx, r *peerboard.Renewal, ceID int64) (*RenewalItem, error) {
	var it RenewalItem
	err := tx.QueryRow(ctx, `SELECT a.id, a.title, a.source, a.audit_status FROM ce_activities a
		WHERE a.id = $2 AND `+holderMatch+` AND a.activity_date BETWEEN $3 AND $4 FOR UPDATE`,
		r.HolderID, ceID, DateOf(r.CycleStart), DateOf(r.CycleEnd)).
		Scan(&it.ID, &it.Title, &it.Source, &it.AuditStatus)
	if err != nil {
		return nil, mapError(err, "CE activity")
	}
	return &it, nil
}

// UploadProof stores a proof file for one self-reported activity of an
// audited renewal of the holder in ctx, in one transaction: the file (its
// type decided by its bytes), the activity's link to it (a rejected item
// goes back to pending for another look) and the audit event. Another
// holder's renewal or an activity outside this renewal's holder and cycle
// is ENOTFOUND.
func (db *DB) UploadProof(ctx context.Context, renewalID, ceID int64, filename string, data []byte) (*peerboard.StoredFile, error) {
	u := peerboard.UserFromContext(ctx)
	var f *peerboard.StoredFile
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		r, err := lockRenewal(ctx, tx, renewalID)
		if err != nil {
			return err
		}
		if u == nil || u.ID != r.HolderID {
			return peerboard.Errorf(peerboard.ENOTFOUND, "Renewal not found.")
		}
		it, err := cycleItem(ctx, tx, r, ceID)
		if err != nil {
			return err
		}
		switch {
		case !r.Status.Open():
			return peerboard.Errorf(peerboard.EINVALID, "This renewal is %s: proof can no longer be added.", strings.ToLower(r.Status.Label()))
		case !r.AuditSelected:
			return peerboard.Errorf(peerboard.EINVALID, "This renewal was not selected for a CE audit, so no proof is needed.")
		case it.Source != peerboard.CESelfReported:
			return peerboard.Errorf(peerboard.EINVALID, "This activity was posted by an approved provider, so no proof is needed.")
		case it.AuditStatus == "accepted":
			return peerboard.Errorf(peerboard.EINVALID, "The board already accepted this activity.")
		}
		if f, err = storeFile(ctx, tx, u.ID, filename, data); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ce_activities SET proof_file_id = $2, audit_status = 'pending' WHERE id = $1`,
			ceID, f.ID); err != nil {
			return fmt.Errorf("link proof: %w", err)
		}
		// New proof changes what a reviewer rules on: a ruling made on a page
		// loaded before it arrived must meet the version check.
		if _, err := tx.Exec(ctx, `UPDATE renewals SET version = version + 1, updated_at = now() WHERE id = $1`, r.ID); err != nil {
			return fmt.Errorf("bump renewal: %w", err)
		}
		e := peerboard.NewAuditEvent(u, "", "renewal.proof_uploaded", "renewal", r.ID)
		e.After = map[string]any{"ce_activity_id": ceID, "file_id": f.ID, "filename": f.Filename, "size": f.Size}
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// transitionRenewal moves a locked renewal to status to, bumping its
// version, setting the extra columns and writing the audit event.
func transitionRenewal(ctx context.Context, tx pgx.Tx, r *peerboard.Renewal, to peerboard.RenewalStatus, by peerboard.Actor, message string, set map[string]any) error {
	if err := peerboard.CheckRenewalTransition(r.Status, to, by); err != nil {
		return err
	}
	sets := "status = $2, version = version + 1, updated_at = now()"
	args := []any{r.ID, to}
	if by == peerboard.ActorStaff && to != peerboard.RenewalUnderReview {
		args = append(args, message)
		sets += fmt.Sprintf(", board_message = $%d", len(args))
	}
	cols := make([]string, 0, len(set))
	for col := range set {
		cols = append(cols, col)
	}
	slices.Sort(cols)
	for _, col := range cols {
		args = append(args, set[col])
		sets += fmt.Sprintf(", %s = $%d", pgx.Identifier{col}.Sanitize(), len(args))
	}
	if _, err := tx.Exec(ctx, `UPDATE renewals SET `+sets+` WHERE id = $1`, args...); err != nil {
		return mapError(err, "Renewal")
	}
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "renewal."+string(to), "renewal", r.ID)
	e.Before = map[string]any{"status": r.Status, "version": r.Version}
	e.After = map[string]any{"status": to, "version": r.Version + 1}
	e.Reason = message
	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	r.Status, r.Version = to, r.Version+1
	return nil
}

// staleRenewal is the ECONFLICT for a form whose version is no longer current.
func staleRenewal(r *peerboard.Renewal) error {
	return peerboard.Errorf(peerboard.ECONFLICT,
		"This renewal changed while you were looking at it: it is now %s. Review its current state below.", r.Status.Label())
}

// lockForReview locks a renewal for the reviewer in ctx who saw it at
// version, and takes it under review (assigned to them) if it was waiting.
func lockForReview(ctx context.Context, tx pgx.Tx, id int64, version int) (*peerboard.Renewal, error) {
	u := peerboard.UserFromContext(ctx)
	r, err := lockRenewal(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !peerboard.CanDecideRenewal(u, r) {
		return nil, peerboard.Errorf(peerboard.EFORBIDDEN, "You cannot review the renewal of your own credential; another reviewer must.")
	}
	if version != r.Version {
		return nil, staleRenewal(r)
	}
	if r.Status == peerboard.RenewalSubmitted || r.Status == peerboard.RenewalResubmitted {
		if err := transitionRenewal(ctx, tx, r, peerboard.RenewalUnderReview, peerboard.ActorStaff, "",
			map[string]any{"assigned_to": u.ID}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ReviewRenewalItem records the ruling of the reviewer in ctx on one CE
// activity of a renewal they saw at version: accepted, or rejected with a
// note (a rejected activity no longer counts). The renewal's version is
// bumped, so a decision made on a page from before the ruling is stale.
func (db *DB) ReviewRenewalItem(ctx context.Context, renewalID, ceID int64, version int, accept bool, note string) (*peerboard.Renewal, error) {
	if err := peerboard.ValidateItemReview(accept, note); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	status := map[bool]string{true: "accepted", false: "rejected"}[accept]
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		r, err := lockForReview(ctx, tx, renewalID, version)
		if err != nil {
			return err
		}
		it, err := cycleItem(ctx, tx, r, ceID)
		if err != nil {
			return err
		}
		switch {
		case !r.Status.Open():
			return peerboard.Errorf(peerboard.EINVALID, "This renewal is %s: its activities can no longer be ruled on.", strings.ToLower(r.Status.Label()))
		case !r.AuditSelected || it.Source != peerboard.CESelfReported:
			// Only an audit puts self-reported CE to proof; a provider's
			// verified post is not the reviewer's to strike.
			return peerboard.Errorf(peerboard.EINVALID, "Only self-reported activities of a renewal picked for a CE audit are ruled on.")
		}
		if _, err := tx.Exec(ctx, `UPDATE ce_activities SET audit_status = $2, audit_note = $3 WHERE id = $1`,
			ceID, status, note); err != nil {
			return mapError(err, "CE activity")
		}
		if _, err := tx.Exec(ctx, `UPDATE renewals SET version = version + 1, updated_at = now() WHERE id = $1`, r.ID); err != nil {
			return fmt.Errorf("bump renewal: %w", err)
		}
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "renewal.item_"+status, "renewal", r.ID)
		e.Before = map[string]any{"ce_activity_id": ceID, "audit_status": it.AuditStatus, "version": r.Version}
		e.After = map[string]any{"ce_activity_id": ceID, "title": it.Title, "audit_status": status, "version": r.Version + 1}
		e.Reason = note
		return insertAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return db.RenewalByID(ctx, renewalID)
}

// RenewalOutcome is a renewal after a decision and, for an approval, the
// credential with its new expiry.
type RenewalOutcome struct {
	Renewal    *peerboard.Renewal
	Credential *HeldCredential
}

// DecideRenewal records the decision of the reviewer in ctx on a renewal
// they saw at version, in one transaction. Approval needs the cycle's CE met
// (rejected activities excluded) and, for an audit, every self-reported
// activity ruled on; it extends the credential one cycle from its old
// expiry, makes an Expired credential Active again (late renewal in grace),
// clears the reinstatement flag and bumps the credential's version. Denial
// needs reasons. A request for information needs a message and sets the
// deadline (InfoRequestDays from today when deadline is nil). The holder is
// mailed. Of two reviewers deciding at once, the second gets an ECONFLICT
// and changes nothing; nobody decides a renewal of their own credential.
func (db *DB) DecideRenewal(ctx context.Context, id int64, version int, d peerboard.Decision, reason string, deadline *time.Time) (*RenewalOutcome, error) {
	if err := peerboard.ValidateDecision(d, reason); err != nil {
		return nil, err
	}
	today := db.Today()
	if d == peerboard.DecisionRequestInfo {
		if deadline == nil {
			dl := today.AddDate(0, 0, InfoRequestDays)
			deadline = &dl
		}
		if err := peerboard.ValidateInfoDeadline(*deadline, today); err != nil {
			return nil, err
		}
	}
	reason = strings.TrimSpace(reason)
	u := peerboard.UserFromContext(ctx)
	out := &RenewalOutcome{}
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		r, err := lockForReview(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if !r.Status.Open() {
			return peerboard.CheckRenewalTransition(r.Status, peerboard.RenewalTarget(d), peerboard.ActorStaff)
		}
		det := &RenewalDetail{Renewal: r}
		if err := db.fillDetail(ctx, tx, det); err != nil {
			return err
		}
		var mail peerboard.Mail
		switch d {
		case peerboard.DecisionApprove:
			if n := det.Unruled(); n > 0 {
				return peerboard.Errorf(peerboard.EINVALID, "Accept or reject each audited activity first: %d still waiting for a ruling.", n)
			}
			if !det.Progress.Met {
				return peerboard.Errorf(peerboard.EINVALID, "The counted CE does not meet the requirement: %s. Request more information or deny the renewal.",
					strings.Join(det.Progress.Missing, "; "))
			}
			if out.Credential, err = renewCredential(ctx, tx, r); err != nil {
				return err
			}
			mail = peerboard.RenewalDecisionMail(r.HolderEmail, r.HolderName, r.CredentialNumber, true, out.Credential.ExpiresOn, db.BaseURL)
			err = transitionRenewal(ctx, tx, r, peerboard.RenewalApproved, peerboard.ActorStaff, reason,
				map[string]any{"decided_at": db.Now(), "decided_by": u.ID, "info_deadline": nil})
		case peerboard.DecisionDeny:
			mail = peerboard.RenewalDecisionMail(r.HolderEmail, r.HolderName, r.CredentialNumber, false, time.Time{}, db.BaseURL)
			err = transitionRenewal(ctx, tx, r, peerboard.RenewalDenied, peerboard.ActorStaff, reason,
				map[string]any{"decided_at": db.Now(), "decided_by": u.ID, "info_deadline": nil})
		case peerboard.DecisionRequestInfo:
			mail = peerboard.RenewalInfoRequestMail(r.HolderEmail, r.HolderName, r.CredentialNumber, *deadline, db.BaseURL)
			err = transitionRenewal(ctx, tx, r, peerboard.RenewalNeedsInformation, peerboard.ActorStaff, reason,
				map[string]any{"info_deadline": DateOf(*deadline)})
		}
		if err != nil {
			return err
		}
		return db.queueMail(ctx, tx, mail)
	})
	if err != nil {
		return nil, err
	}
	if out.Renewal, err = db.RenewalByID(ctx, id); err != nil {
		return nil, err
	}
	return out, nil
}

// renewCredential locks the renewal's credential and extends it by one
// cycle from the old expiry (the renewal's cycle end), Expired becoming
// Active, and records it. It returns the credential as it now stands.
func renewCredential(ctx context.Context, tx pgx.Tx, r *peerboard.Renewal) (*HeldCredential, error) {
	h, err := heldCredential(ctx, tx, r.CredentialID, true)
	if err != nil {
		return nil, err
	}
	if !DateOf(h.ExpiresOn).Equal(DateOf(r.CycleEnd)) {
		return nil, peerboard.Errorf(peerboard.EINVALID, "This credential's expiry date changed since the renewal was submitted, so it cannot be approved.")
	}
	to := h.Status
	switch h.Status {
	case peerboard.CredExpired:
		if err := peerboard.CheckCredentialTransition(h.Status, peerboard.CredActive, peerboard.ActorStaff); err != nil {
			return nil, err
		}
		to = peerboard.CredActive
	case peerboard.CredActive, peerboard.CredInactive, peerboard.CredSuspended:
	default:
		return nil, peerboard.Errorf(peerboard.EINVALID, "This credential is %s and cannot be renewed.", strings.ToLower(h.Status.Label()))
	}
	newExpiry := peerboard.RenewedExpiry(*h.Type, h.ExpiresOn)
	before := map[string]any{"status": h.Status, "expires_on": h.ExpiresOn.Format(time.DateOnly), "version": h.Version,
		"reinstatement_required": h.ReinstatementRequired}
	err = tx.QueryRow(ctx, `UPDATE credentials SET expires_on = $2, status = $3, reinstatement_required_at = NULL,
		version = version + 1, updated_at = now() WHERE id = $1 RETURNING version, updated_at`,
		h.ID, newExpiry, to).Scan(&h.Version, &h.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "Credential")
	}
	h.Status, h.ExpiresOn, h.ReinstatementRequired = to, newExpiry, false
	e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "credential.renewed", "credential", h.ID)
	e.Before = before
	e.After = map[string]any{"status": to, "expires_on": newExpiry.Format(time.DateOnly), "version": h.Version, "renewal_id": r.ID}
	e.Reason = fmt.Sprintf("Renewal %d approved", r.ID)
	return h, insertAudit(ctx, tx, e)
}

// RespondToRenewal answers the board's request for information on a
// renewal of the holder in ctx, seen at version, before the deadline: the
// renewal goes back to the board as resubmitted. Self-reported activities
// added since, in an audited renewal, join the audit as pending.
func (db *DB) RespondToRenewal(ctx context.Context, id int64, version int, message string) (*peerboard.Renewal, error) {
	message = strings.TrimSpace(message)
	if utf8.RuneCountInString(message) > peerboard.MaxReasonLength {
		return nil, peerboard.FieldErrors("Please correct your answer", map[string]string{
			"message": fmt.Sprintf("At most %d characters", peerboard.MaxReasonLength)})
	}
	u := peerboard.UserFromContext(ctx)
	err := db.Transact(ctx, func(tx pgx.Tx) error {
		r, err := lockRenewal(ctx, tx, id)
		if err != nil {
			return err
		}
		if u == nil || u.ID != r.HolderID {
			return peerboard.Errorf(peerboard.ENOTFOUND, "Renewal not found.")
		}
		if version != r.Version {
			return staleRenewal(r)
		}
		if r.Status == peerboard.RenewalNeedsInformation && r.InfoDeadline != nil && db.Today().After(DateOf(*r.InfoDeadline)) {
			return peerboard.Errorf(peerboard.EINVALID, "The deadline to answer, %s, has passed. Contact the board.",
				r.InfoDeadline.Format("January 2, 2006"))
		}
		if err := transitionRenewal(ctx, tx, r, peerboard.RenewalResubmitted, peerboard.ActorApplicant, message, nil); err != nil {
			return err
		}
		if r.AuditSelected {
			_, err := tx.Exec(ctx, `UPDATE ce_activities a SET audit_status = 'pending'
				WHERE `+holderMatch+` AND a.activity_date BETWEEN $2 AND $3
				  AND a.source = 'self_reported' AND a.audit_status = ''`,
				r.HolderID, DateOf(r.CycleStart), DateOf(r.CycleEnd))
			if err != nil {
				return fmt.Errorf("mark audit items: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.RenewalByID(ctx, id)
}

// RenewalQueueFilter pages the renewal queue; at most one of After and
// Before is set.
type RenewalQueueFilter struct {
	After, Before *QueueCursor
	Limit         int  // QueuePageSize when zero
	AuditOnly     bool // only renewals picked for a CE audit
}

// RenewalQueueItem is one renewal waiting for the board.
type RenewalQueueItem struct {
	ID                 int64
	HolderName         string
	CredentialNumber   string
	CredentialTypeCode string
	Status             peerboard.RenewalStatus
	AuditSelected      bool
	SubmittedAt        time.Time
	AssignedToName     string
}

// Kind is "audit" for a renewal picked for a CE audit and "renewal"
// otherwise, for a queue filterable by kind.
func (it RenewalQueueItem) Kind() string {
	if it.AuditSelected {
		return "audit"
	}
	return "renewal"
}

// RenewalQueuePage is one page of the renewal queue, oldest first.
type RenewalQueuePage struct {
	Items      []RenewalQueueItem
	Next, Prev *QueueCursor
}

func renewalQueueQuery(f RenewalQueueFilter) (string, []any, int) {
	limit := f.Limit
	if limit <= 0 {
		limit = QueuePageSize
	}
	cmp, dir := ">", "ASC"
	cur := f.After
	if f.Before != nil {
		cmp, dir, cur = "<", "DESC", f.Before
	}
	args := []any{limit + 1}
	keyset := ""
	if cur != nil {
		args = append(args, cur.SubmittedAt, cur.ID)
		keyset = fmt.Sprintf(" AND (submitted_at, id) %s ($2, $3)", cmp)
	}
	audit := ""
	if f.AuditOnly {
		audit = " AND audit_selected"
	}
	// The predicate must match renewals_queue_idx's literally.
	q := `SELECT r.id, u.name, c.number, t.code, r.status, r.audit_selected, r.submitted_at, coalesce(a.name, '')
		FROM (SELECT id, submitted_at FROM renewals
			WHERE status IN ('submitted', 'under_review', 'resubmitted')` + keyset + audit + `
			ORDER BY submitted_at ` + dir + `, id ` + dir + ` LIMIT $1) q
		JOIN renewals r ON r.id = q.id
		JOIN credentials c ON c.id = r.credential_id
		JOIN credential_types t ON t.id = c.credential_type_id
		JOIN users u ON u.id = r.holder_id
		LEFT JOIN users a ON a.id = r.assigned_to
		ORDER BY q.submitted_at ` + dir + `, q.id ` + dir
	return q, args, limit
}

// RenewalQueue returns one page of renewals waiting for the board
// (submitted, under review, resubmitted), oldest submission first, read
// through renewals_queue_idx. Its cursor is the applications queue's
// QueueCursor, so the two can be merged by (SubmittedAt, ID).
func (db *DB) RenewalQueue(ctx context.Context, f RenewalQueueFilter) (*RenewalQueuePage, error) {
	query, args, limit := renewalQueueQuery(f)
	rows, err := db.Pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("renewal queue: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RenewalQueueItem, error) {
		var it RenewalQueueItem
		err := r.Scan(&it.ID, &it.HolderName, &it.CredentialNumber, &it.CredentialTypeCode, &it.Status,
			&it.AuditSelected, &it.SubmittedAt, &it.AssignedToName)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("renewal queue: %w", err)
	}
	items, next, prev := keysetPage(items, limit, f.After != nil, f.Before != nil,
		func(it RenewalQueueItem) QueueCursor { return QueueCursor{it.SubmittedAt, it.ID} })
	return &RenewalQueuePage{Items: items, Next: next, Prev: prev}, nil
}

// ExplainRenewalQueue returns RenewalQueue's query plan for f, so tests and
// benchmarks can show it reads renewals_queue_idx.
func (db *DB) ExplainRenewalQueue(ctx context.Context, f RenewalQueueFilter) (string, error) {
	query, args, _ := renewalQueueQuery(f)
	rows, err := db.Pool.Query(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		return "", fmt.Errorf("explain renewal queue: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}
