package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// insertAudit appends an event inside the caller's transaction, so the
// record of a change commits or rolls back with the change itself.
func insertAudit(ctx context.Context, tx pgx.Tx, e peerboard.AuditEvent) error {
	before, err := jsonOrNil(e.Before)
	if err != nil {
		return err
	}
	after, err := jsonOrNil(e.After)
	if err != nil {
		return err
	}
	if e.RequestID == "" {
		e.RequestID = peerboard.RequestIDFromContext(ctx)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_events (actor_id, actor_role, action, entity_type, entity_id, before, after, reason, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ActorID, e.ActorRole, e.Action, e.EntityType, e.EntityID, before, after, e.Reason, e.RequestID)
	if err != nil {
		return fmt.Errorf("insert audit event %s: %w", e.Action, err)
	}
	return nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal audit payload: %w", err)
	}
	return b, nil
}

// AuditTrail returns the events of one record, oldest first, with actor names.
func (db *DB) AuditTrail(ctx context.Context, entityType string, entityID int64) ([]peerboard.AuditEvent, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT e.id, e.occurred_at, e.actor_id, e.actor_role, coalesce(u.name, 'System'), e.action,
		       e.entity_type, e.entity_id, e.before, e.after, e.reason, e.request_id
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.entity_type = $1 AND e.entity_id = $2
		ORDER BY e.id`, entityType, entityID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return pgx.CollectRows(rows, scanAuditEvent)
}

// scanAuditEvent reads a row in AuditTrail's column order.
func scanAuditEvent(r pgx.CollectableRow) (peerboard.AuditEvent, error) {
	var e peerboard.AuditEvent
	var before, after []byte
	err := r.Scan(&e.ID, &e.OccurredAt, &e.ActorID, &e.ActorRole, &e.ActorName, &e.Action,
		&e.EntityType, &e.EntityID, &before, &after, &e.Reason, &e.RequestID)
	if len(before) > 0 {
		e.Before = json.RawMessage(before)
	}
	if len(after) > 0 {
		e.After = json.RawMessage(after)
	}
	return e, err
}
