package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// AddDisciplineAction records a public discipline action on a credential
// for the admin in ctx, with its audit event in the same transaction. No
// admin screen records discipline yet; the demo data uses this so the
// verification page has a reprimand to show.
func (db *DB) AddDisciplineAction(ctx context.Context, credentialID int64, d peerboard.DisciplineAction) error {
	actor := peerboard.UserFromContext(ctx)
	if !peerboard.CanAdminister(actor) {
		return peerboard.Errorf(peerboard.EFORBIDDEN, "Only board admins record discipline.")
	}
	d.PublicSummary = strings.TrimSpace(d.PublicSummary)
	return db.Transact(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO discipline_actions (credential_id, action, public_summary, effective_on, ends_on, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			credentialID, d.Action, d.PublicSummary, DateOf(d.EffectiveOn), dateOnly(d.EndsOn), actor.ID).Scan(&id)
		if err != nil {
			return mapError(err, "Discipline action")
		}
		e := peerboard.NewAuditEvent(actor, "", "credential.discipline_added", "credential", credentialID)
		after := map[string]any{"discipline_action_id": id, "action": d.Action, "public_summary": d.PublicSummary,
			"effective_on": DateOf(d.EffectiveOn).Format(time.DateOnly)}
		if d.EndsOn != nil {
			after["ends_on"] = DateOf(*d.EndsOn).Format(time.DateOnly)
		}
		e.After = after
		return insertAudit(ctx, tx, e)
	})
}
