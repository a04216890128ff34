package peerboard

import "time"

// AuditEvent records one decision or status change: who, what, which
// record, before and after, when and why. Events are never changed.
type AuditEvent struct {
	ID         int64
	OccurredAt time.Time
	ActorID    *int64
	ActorRole  string // a Role, or "system"
	ActorName  string // filled when read back for display
	Action     string
	EntityType string
	EntityID   int64
	Before     any // marshalled to JSON
	After      any
	Reason     string
	RequestID  string
}

// NewAuditEvent fills the actor and request id from the context's user.
func NewAuditEvent(actor *User, requestID, action, entityType string, entityID int64) AuditEvent {
	e := AuditEvent{Action: action, EntityType: entityType, EntityID: entityID, RequestID: requestID, ActorRole: "system"}
	if actor != nil {
		id := actor.ID
		e.ActorID = &id
		e.ActorRole = string(actor.Role)
	}
	return e
}
