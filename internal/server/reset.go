package server

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/reset"
)

// resetRoutes serve the self-service password reset. All are public: the
// person has lost their password, and a link may be opened on any device.
// The link's GET only asks; the POST sets the password, so a mail scanner
// fetching the link changes nothing.
func (s *Server) resetRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/forgot-password", public, s.forgotPasswordForm)
	s.route(r, http.MethodPost, "/forgot-password", public, s.forgotPassword)
	s.route(r, http.MethodGet, "/reset-password/{token}", public, s.resetPasswordForm)
	s.route(r, http.MethodPost, "/reset-password/{token}", public, s.resetPassword)
}

const forgotTitle = "Reset your password"

func (s *Server) forgotPasswordForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, reset.ForgotPage(s.page(r, forgotTitle), reset.Forgot{}))
	return nil
}

// forgotPassword answers every well-formed address with the same page, so
// it cannot be used to find out who has an account.
func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := reset.Forgot{Email: peerboard.NormalizeEmail(r.PostForm.Get("email")), Errors: views.Errors{}}
	switch {
	case f.Email == "":
		f.Errors["email"] = "Enter your email address."
	case !peerboard.ValidEmail(f.Email):
		f.Errors["email"] = "Enter an email address like name@example.org."
	}
	if len(f.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, reset.ForgotPage(s.page(r, forgotTitle), f))
		return nil
	}
	// Each request may mail someone: one client may not fan out to many
	// addresses. The per-account limit is counted in the database.
	if s.loginByClient.OnLimit(w, r, "reset:"+s.clientIP(r)) {
		f.Message = "Too many requests from your address. Wait 15 minutes and try again."
		s.render(w, r, http.StatusTooManyRequests, reset.ForgotPage(s.page(r, forgotTitle), f))
		return nil
	}
	if err := s.db.RequestPasswordReset(r.Context(), f.Email); err != nil {
		return err
	}
	// Rendered, not redirected: an anonymous visitor has no session to
	// carry a flash, and the address must not go into a URL.
	s.render(w, r, http.StatusOK, reset.SentPage(s.page(r, "Check your inbox"), reset.Sent{Email: f.Email}))
	return nil
}

const resetTitle = "Choose a new password"

func (s *Server) resetPasswordForm(w http.ResponseWriter, r *http.Request) error {
	confirmHeaders(w) // the token is in the address: no Referer, no cache
	token := chi.URLParam(r, "token")
	p, err := s.db.PasswordResetByToken(r.Context(), token)
	if err != nil || !p.Usable() {
		return s.resetProblem(w, r, p, err)
	}
	s.render(w, r, http.StatusOK, reset.FormPage(s.page(r, resetTitle), reset.Form{Token: token, Email: p.Email}))
	return nil
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	confirmHeaders(w)
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	p, err := s.db.PasswordResetByToken(r.Context(), token)
	if err != nil || !p.Usable() {
		return s.resetProblem(w, r, p, err)
	}
	password, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	f := reset.Form{Token: token, Email: p.Email, Errors: views.Errors{}}
	if err := peerboard.ValidatePassword(password, p.Email, p.Name); err != nil {
		f.Errors["password"] = peerboard.ErrorMessage(err)
	} else if confirm != password {
		f.Errors["confirm"] = "The two passwords do not match."
	}
	if len(f.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, reset.FormPage(s.page(r, resetTitle), f))
		return nil
	}
	hash, err := peerboard.HashPassword(password)
	if err != nil {
		return err
	}
	// Checked again under lock: a second submit of the form finds the link used.
	if p, err = s.db.ResetPassword(r.Context(), token, hash); err != nil || !p.Reset {
		return s.resetProblem(w, r, p, err)
	}
	if err := s.signIn(r, p.Account); err != nil {
		return err
	}
	// Whoever knew the old password (or squatted on the address) is
	// signed out everywhere.
	if err := s.destroySessionsOf(r.Context(), p.UserID); err != nil {
		return err
	}
	msg := "Your password is changed and you are signed in. Your other devices were signed out."
	if p.EmailVerified {
		msg += " Your email address " + p.Email + " is confirmed too."
	}
	return s.redirectWithFlash(w, r, "/dashboard", msg)
}

// destroySessionsOf deletes every stored session of the user but the
// request's own. Sessions are scs blobs with no user column, so this
// decodes each live session (scs's Iterate); resets are rare and rate
// limited, so the scan is affordable.
func (s *Server) destroySessionsOf(ctx context.Context, userID int64) error {
	own := s.sessions.Token(ctx)
	return s.sessions.Iterate(ctx, func(ctx context.Context) error {
		if s.sessions.GetInt64(ctx, sessionUserID) != userID || s.sessions.Token(ctx) == own {
			return nil
		}
		return s.sessions.Destroy(ctx)
	})
}

// resetProblem answers a link that cannot set a password: 404 when
// unknown, 410 when used or expired. Anything else is the error page's.
func (s *Server) resetProblem(w http.ResponseWriter, r *http.Request, p *postgres.PasswordReset, err error) error {
	var m reset.Problem
	status := http.StatusGone
	switch {
	case peerboard.ErrorCode(err) == peerboard.ENOTFOUND:
		status = http.StatusNotFound
		m.Heading = "This reset link is not valid"
		m.Message = "Check that you opened the whole link from the message. A link stops working when the account's email address changes."
	case err != nil:
		return err
	case p.UsedAt != nil:
		m.Heading = "This reset link was already used"
		m.Message = "Each link works once, and setting a new password spends every link sent before it. If you did not just reset your password, ask for a new link."
	default:
		m.Heading = "This reset link has expired"
		m.Message = "Reset links work for one hour."
	}
	s.render(w, r, status, reset.ProblemPage(s.page(r, m.Heading), m))
	return nil
}
