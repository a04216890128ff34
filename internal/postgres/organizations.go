package postgres

import (
	"context"
	"time"
)

// EnsureDemoOrganization returns the id of the named organization, creating
// it approved from today for two years when missing.
func (db *DB) EnsureDemoOrganization(ctx context.Context, name string, today time.Time) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO training_organizations (name, approved_from, approved_until)
		VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
		RETURNING id`, name, today.AddDate(-3, 0, 0), today.AddDate(2, 0, 0)).Scan(&id)
	return id, err
}
