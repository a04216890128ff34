package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// Session keys.
const (
	sessionUserID = "user_id"
	sessionRole   = "role"
	sessionFlash  = "flash"
)

// page builds the layout model for r: title, signed-in user, flash.
func (s *Server) page(r *http.Request, title string) views.Page {
	p := views.Page{
		Title:     title,
		User:      peerboard.UserFromContext(r.Context()),
		Path:      r.URL.Path,
		RequestID: peerboard.RequestIDFromContext(r.Context()),
	}
	// Only signed-in users have a session to carry a flash; reading it for
	// anonymous visitors would be harmless but pointless.
	if p.User != nil {
		p.Flash = s.sessions.PopString(r.Context(), sessionFlash)
	}
	return p
}

// redirectWithFlash finishes a successful POST: flash message, then 303 (Post/Redirect/Get).
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		s.sessions.Put(r.Context(), sessionFlash, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// maxFormBytes bounds an ordinary form post; uploads have their own limits.
const maxFormBytes = 64 << 10

// parseForm reads a url-encoded form body, limited in size. A body that
// cannot be read is the client's fault: 400, or 413 when too large.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return peerboard.Errorf(peerboard.ETOOLARGE, "That form is larger than this page accepts.")
		}
		return peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Please try again.")
	}
	return nil
}

// pathID reads a positive id from the URL; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, peerboard.Errorf(peerboard.ENOTFOUND, "")
	}
	return id, nil
}
