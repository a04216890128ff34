package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views/confirm"
)

// confirmRoutes serve the link in the "Confirm your email address" mail.
// The link is public: people open mail on another device, signed out. It
// only asks; the POST confirms, so a mail scanner fetching the link of a
// message sent to someone who never registered confirms nothing.
func (s *Server) confirmRoutes(r chi.Router) {
	s.route(r, http.MethodPost, "/confirm-email/resend", signedIn, s.resendConfirmation)
	s.route(r, http.MethodGet, "/confirm-email/{token}", public, s.confirmEmailForm)
	s.route(r, http.MethodPost, "/confirm-email/{token}", public, s.confirmEmail)
}

// confirmHeaders keep the token out of Referer headers and caches.
func confirmHeaders(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

func (s *Server) confirmEmailForm(w http.ResponseWriter, r *http.Request) error {
	confirmHeaders(w)
	token := chi.URLParam(r, "token")
	c, err := s.db.EmailConfirmationByToken(r.Context(), token)
	if err != nil || !c.Usable() {
		return s.confirmProblem(w, r, c, err)
	}
	s.render(w, r, http.StatusOK, confirm.AskPage(s.page(r, "Confirm your email address"), confirm.Ask{Token: token, Email: c.Email}))
	return nil
}

func (s *Server) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	confirmHeaders(w)
	c, err := s.db.ConfirmEmail(r.Context(), chi.URLParam(r, "token"))
	if err != nil || !c.Confirmed {
		return s.confirmProblem(w, r, c, err)
	}
	// Rendered, not redirected: the person may be signed out, with no
	// session to carry a flash, and the link itself is now used.
	u := peerboard.UserFromContext(r.Context())
	m := confirm.Done{Email: c.Email, Own: u != nil && u.ID == c.UserID}
	s.render(w, r, http.StatusOK, confirm.DonePage(s.page(r, "Your email address is confirmed"), m))
	return nil
}

// confirmProblem answers a link that cannot confirm: 404 when unknown,
// 410 when used or expired. Anything else is the error page's.
func (s *Server) confirmProblem(w http.ResponseWriter, r *http.Request, c *postgres.EmailConfirmation, err error) error {
	m := confirm.Problem{SignedIn: peerboard.UserFromContext(r.Context()) != nil}
	status := http.StatusGone
	switch {
	case peerboard.ErrorCode(err) == peerboard.ENOTFOUND:
		status = http.StatusNotFound
		m.Heading = "This confirmation link is not valid"
		m.Message = "Check that you opened the whole link from the message. A link stops working when the account's email address changes."
	case err != nil:
		return err
	case c.UsedAt != nil:
		m.Heading = "This confirmation link was already used"
		m.Message = "Each link works once. If you used it, your email address is confirmed and there is nothing more to do."
	default:
		m.Heading = "This confirmation link has expired"
		m.Message = "Confirmation links work for 7 days."
	}
	s.render(w, r, status, confirm.ProblemPage(s.page(r, m.Heading), m))
	return nil
}

// resendConfirmation mails a signed-in, unconfirmed user a new link.
func (s *Server) resendConfirmation(w http.ResponseWriter, r *http.Request) error {
	u := peerboard.UserFromContext(r.Context())
	err := s.db.ResendEmailConfirmation(r.Context())
	switch {
	case peerboard.ErrorCode(err) == peerboard.ECONFLICT:
		return s.redirectWithFlash(w, r, "/dashboard", "Your email address is already confirmed.")
	case err != nil:
		return err
	}
	return s.redirectWithFlash(w, r, "/dashboard",
		"We sent a new confirmation link to "+u.Email+". Open it within 7 days to confirm your email address.")
}
