package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/verify"
)

// verifyPageSize bounds the people one name search page lists.
const verifyPageSize = 50

// maxNameLength bounds a searched name; longer input cannot match a stored name.
const maxNameLength = 200

// verifyRoutes are the public verification pages and API: no account, no
// caching (the status must be real-time, and no-store is the default),
// rate-limited per client on every lookup.
func (s *Server) verifyRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/verify", public, s.verifySearch)
	s.route(r, http.MethodGet, "/verify/{number}", public, s.verifyRecord)
	s.route(r, http.MethodGet, "/api/v1/credentials/{number}", public, s.verifyAPI)
}

// verifyAllowed counts a lookup against the client's budget and returns an
// ERATELIMIT error (429 page or JSON) once it is spent.
func (s *Server) verifyAllowed(w http.ResponseWriter, r *http.Request) error {
	if s.verifyLimiter.OnLimit(w, r, "verify:"+s.clientIP(r)) {
		return peerboard.Errorf(peerboard.ERATELIMIT, "Too many lookups from your address. Wait a minute and try again.")
	}
	return nil
}

// verifySearch shows the search forms and runs a number search (?number=)
// or a name search (?first=&last=, paged by ?after=).
func (s *Server) verifySearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	m := verify.SearchPage{
		Form:      verify.SearchForm{Number: q.Get("number"), First: q.Get("first"), Last: q.Get("last"), Errors: map[string]string{}},
		PageSize:  verifyPageSize,
		CheckedAt: verify.FormatTime(s.now()),
	}
	page := s.page(r, "Verify a credential")
	switch {
	case q.Has("number"):
		return s.verifyByNumber(w, r, page, m)
	case q.Has("first") || q.Has("last"):
		after := q.Get("after")
		if len(after) > 64 {
			after = "" // not a number we issued: start from the first page
		}
		return s.verifyByName(w, r, page, m, after)
	}
	s.render(w, r, http.StatusOK, verify.Search(page, m))
	return nil
}

func (s *Server) verifyByNumber(w http.ResponseWriter, r *http.Request, page views.Page, m verify.SearchPage) error {
	if strings.TrimSpace(m.Form.Number) == "" {
		m.Form.Errors["number"] = "Enter a credential number."
		s.render(w, r, http.StatusUnprocessableEntity, verify.Search(page, m))
		return nil
	}
	number, err := peerboard.NormalizeCredentialNumber(m.Form.Number)
	if err != nil {
		m.Form.Errors["number"] = peerboard.ErrorMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, verify.Search(page, m))
		return nil
	}
	if err := s.verifyAllowed(w, r); err != nil {
		return err
	}
	c, err := s.db.PublicCredentialByNumber(r.Context(), number)
	if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
		m.NotFound = peerboard.ErrorMessage(err)
		s.render(w, r, http.StatusNotFound, verify.Search(page, m))
		return nil
	} else if err != nil {
		return err
	}
	m.Result = c
	s.render(w, r, http.StatusOK, verify.Search(page, m))
	return nil
}

func (s *Server) verifyByName(w http.ResponseWriter, r *http.Request, page views.Page, m verify.SearchPage, after string) error {
	first, last := strings.TrimSpace(m.Form.First), strings.TrimSpace(m.Form.Last)
	m.Form.First, m.Form.Last = first, last
	// Both names are required together: a last name alone would list too many people.
	for field, v := range map[string]string{"first": first, "last": last} {
		switch {
		case v == "":
			m.Form.Errors[field] = "Enter the holder's " + field + " name."
		case len(v) > maxNameLength:
			m.Form.Errors[field] = "Enter a " + field + " name of at most 200 characters."
		}
	}
	if len(m.Form.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, verify.Search(page, m))
		return nil
	}
	if err := s.verifyAllowed(w, r); err != nil {
		return err
	}
	matches, more, err := s.db.PublicCredentialsByName(r.Context(), first, last, after, verifyPageSize)
	if err != nil {
		return err
	}
	m.NameSearched, m.Matches, m.More = true, matches, more
	if more {
		next := url.Values{"first": {first}, "last": {last}, "after": {matches[len(matches)-1].Number}}
		m.NextURL = "/verify?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, verify.Search(page, m))
	return nil
}

// verifyRecord is a credential's permalink. A number typed loosely (lower
// case, no hyphens) redirects to its canonical address; a malformed or
// unknown one is a 404 that names it.
func (s *Server) verifyRecord(w http.ResponseWriter, r *http.Request) error {
	raw := chi.URLParam(r, "number")
	number, err := peerboard.NormalizeCredentialNumber(raw)
	if err != nil {
		return s.verifyNotFound(w, r, raw)
	}
	if number != raw {
		http.Redirect(w, r, verify.Permalink(number), http.StatusMovedPermanently)
		return nil
	}
	if err := s.verifyAllowed(w, r); err != nil {
		return err
	}
	c, err := s.db.PublicCredentialByNumber(r.Context(), number)
	if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
		return s.verifyNotFound(w, r, number)
	} else if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, verify.Record(s.page(r, c.Name+", "+c.Number), *c, verify.FormatTime(s.now())))
	return nil
}

func (s *Server) verifyNotFound(w http.ResponseWriter, r *http.Request, number string) error {
	msg := "No credential with number " + shorten(number)
	s.render(w, r, http.StatusNotFound, verify.NotFound(s.page(r, "Credential not found"), msg))
	return nil
}

// verifyAPI returns a credential's public record as JSON: exactly the
// fields of peerboard.PublicCredential.
func (s *Server) verifyAPI(w http.ResponseWriter, r *http.Request) error {
	raw := chi.URLParam(r, "number")
	number, err := peerboard.NormalizeCredentialNumber(raw)
	if err != nil {
		return peerboard.Errorf(peerboard.ENOTFOUND, "No credential with number %s", shorten(raw))
	}
	if err := s.verifyAllowed(w, r); err != nil {
		return err
	}
	c, err := s.db.PublicCredentialByNumber(r.Context(), number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// shorten keeps an echoed, user-typed number to a readable length.
func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
