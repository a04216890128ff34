package server

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// fileCSP forbids everything and sandboxes the response, so a file that a
// browser renders despite the attachment header can run nothing.
const fileCSP = "default-src 'none'; sandbox"

// downloadFile serves a stored file to its owner or to staff, always as an
// attachment. Anyone else, and any malformed id, gets 404, so ids reveal
// nothing. Staff views are audited before the bytes are sent.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) error {
	u := peerboard.UserFromContext(r.Context())
	f, data, err := s.db.FileByID(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	if !peerboard.CanViewFile(u, f) {
		return peerboard.Errorf(peerboard.ENOTFOUND, "File not found.")
	}
	if u.ID != f.OwnerID {
		if err := s.db.RecordFileView(r.Context(), f); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	disposition := mime.FormatMediaType("attachment",
		map[string]string{"filename": peerboard.CleanFilename(f.Filename, f.ContentType)})
	if disposition == "" {
		disposition = "attachment" // a name FormatMediaType cannot encode; the browser picks one
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}
