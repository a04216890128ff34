package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// storeFile sniffs and stores an upload for owner inside tx. The id is
// made by the database; the display name is cleaned.
func storeFile(ctx context.Context, tx pgx.Tx, ownerID int64, name string, data []byte) (*peerboard.StoredFile, error) {
	typ, err := peerboard.SniffUpload(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f := &peerboard.StoredFile{
		OwnerID:     ownerID,
		Filename:    peerboard.CleanFilename(name, typ),
		ContentType: typ,
		Size:        len(data),
		SHA256:      hex.EncodeToString(sum[:]),
	}
	err = tx.QueryRow(ctx, `INSERT INTO stored_files (owner_id, filename, content_type, size_bytes, sha256, data)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text, created_at`,
		f.OwnerID, f.Filename, f.ContentType, f.Size, f.SHA256, data).Scan(&f.ID, &f.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	return f, nil
}

// FileByID returns a stored file and its bytes. It does not check who is
// asking: handlers apply peerboard.CanViewFile and answer 404 otherwise.
// A malformed id is simply not found.
func (db *DB) FileByID(ctx context.Context, id string) (*peerboard.StoredFile, []byte, error) {
	var uid pgtype.UUID
	if err := uid.Scan(id); err != nil {
		return nil, nil, peerboard.Errorf(peerboard.ENOTFOUND, "File not found.")
	}
	var f peerboard.StoredFile
	var data []byte
	err := db.Pool.QueryRow(ctx, `SELECT id::text, owner_id, filename, content_type, size_bytes, sha256, created_at, data
		FROM stored_files WHERE id = $1`, uid).
		Scan(&f.ID, &f.OwnerID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt, &data)
	if err != nil {
		return nil, nil, mapError(err, "File")
	}
	return &f, data, nil
}

// RecordFileView audits a staff member opening someone's file.
func (db *DB) RecordFileView(ctx context.Context, f *peerboard.StoredFile) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		e := peerboard.NewAuditEvent(peerboard.UserFromContext(ctx), "", "file.viewed", "file_owner", f.OwnerID)
		e.After = map[string]any{"file_id": f.ID, "filename": f.Filename}
		return insertAudit(ctx, tx, e)
	})
}
