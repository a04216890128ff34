package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// AddDisciplineAction records a public discipline action on a credential
// for the admin in ctx, as RecordDiscipline does but without a version
// check: the demo data uses it so the verification page has a reprimand to
// show.
func (db *DB) AddDisciplineAction(ctx context.Context, credentialID int64, d peerboard.DisciplineAction) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		_, err := db.recordDiscipline(ctx, tx, credentialID, nil, d, true)
		return err
	})
}
