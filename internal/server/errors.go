package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/a-h/templ"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// handlerFunc is a handler that returns its error for the one adapter to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusOf maps each domain error code to its HTTP status: the one table.
var statusOf = map[string]int{
	peerboard.ECONFLICT:     http.StatusConflict,
	peerboard.EINVALID:      http.StatusUnprocessableEntity,
	peerboard.ENOTFOUND:     http.StatusNotFound,
	peerboard.EUNAUTHORIZED: http.StatusUnauthorized,
	peerboard.EFORBIDDEN:    http.StatusForbidden,
	peerboard.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	peerboard.ERATELIMIT:    http.StatusTooManyRequests,
	peerboard.EINTERNAL:     http.StatusInternalServerError,
	peerboard.EMALFORMED:    http.StatusBadRequest,
}

var headingOf = map[int]string{
	http.StatusBadRequest:            "That request could not be read",
	http.StatusUnauthorized:          "Please sign in",
	http.StatusForbidden:             "You do not have access to this page",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "That action is not allowed here",
	http.StatusConflict:              "This record has changed",
	http.StatusRequestEntityTooLarge: "That upload is too large",
	http.StatusUnprocessableEntity:   "Something in the request is not valid",
	http.StatusTooManyRequests:       "Too many attempts",
	http.StatusInternalServerError:   "Something went wrong",
}

// renderError writes err as a friendly page (or JSON under /api/). Internal
// errors are logged with their chain and shown only as a request id.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := peerboard.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if errors.Is(err, context.Canceled) {
		return // the client went away; nothing to say to it
	}
	msg := peerboard.ErrorMessage(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", peerboard.RequestIDFromContext(r.Context()),
			"method", r.Method, "path", loggedPath(r.URL.Path), "error", err.Error())
		msg = "We could not complete that request. Please try again; if it keeps happening, contact the board."
	}
	s.errorPage(w, r, status, msg)
}

// errorPage renders the error page (or JSON for the API) with status.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		writeJSON(w, status, map[string]string{"error": msg, "request_id": peerboard.RequestIDFromContext(r.Context())})
		return
	}
	heading := headingOf[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	if msg == "" {
		msg = defaultMessage(status)
	}
	s.render(w, r, status, views.ErrorPage(s.page(r, heading), status, heading, msg))
}

func defaultMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "There is no page at this address, or you do not have access to it."
	case http.StatusForbidden:
		return "Your account's role does not include this page."
	case http.StatusMethodNotAllowed:
		return "Use the links and buttons on the page."
	}
	return "Please go back and try again."
}

// render writes component into a buffer first, so a failing template never
// sends half a page with a 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.ErrorContext(r.Context(), "render", "request_id", peerboard.RequestIDFromContext(r.Context()), "error", err.Error())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Something went wrong. Reference " + peerboard.RequestIDFromContext(r.Context())))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// handle adapts a handlerFunc, rendering whatever error it returns.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}
