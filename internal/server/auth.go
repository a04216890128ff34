package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps post-login redirects on this site: a local path only.
// Browsers drop tabs and newlines from URLs and read \ as /, so "/\t/evil"
// would become "//evil": any control character or backslash is refused.
func safeNext(next string) string {
	const home = "/dashboard"
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return home
	}
	return u.RequestURI()
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, views.Home(s.page(r, "Peer support credentials")))
	return nil
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) error {
	if peerboard.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, views.Register(s.page(r, "Create an account"), views.RegisterForm{}))
	return nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	reg := peerboard.Registration{
		Name:     r.PostForm.Get("name"),
		Email:    r.PostForm.Get("email"),
		Password: r.PostForm.Get("password"),
		Confirm:  r.PostForm.Get("confirm"),
	}
	fail := func(err error) error {
		if peerboard.ErrorCode(err) != peerboard.EINVALID {
			return err
		}
		f := views.RegisterForm{Name: reg.Name, Email: reg.Email, Errors: peerboard.ErrorFields(err)}
		s.render(w, r, http.StatusUnprocessableEntity, views.Register(s.page(r, "Create an account"), f))
		return nil
	}
	if err := reg.Validate(); err != nil {
		return fail(err)
	}
	hash, err := peerboard.HashPassword(reg.Password)
	if err != nil {
		return err
	}
	// Self-registered: unconfirmed until the link mailed to the address is
	// used, so typing someone else's email gains nothing of theirs.
	u := &peerboard.User{Email: reg.Email, Name: reg.Name, Role: peerboard.RoleApplicant, PasswordHash: hash}
	if err := s.db.RegisterApplicant(r.Context(), u); err != nil {
		return fail(err)
	}
	if err := s.signIn(r, u); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/dashboard", "Welcome, "+u.Name+". Your account is ready. Check your inbox at "+
		u.Email+": open the link we sent to confirm your email address.")
}

// signIn starts an authenticated session with a fresh token (no fixation).
func (s *Server) signIn(r *http.Request, u *peerboard.User) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionUserID, u.ID)
	s.sessions.Put(r.Context(), sessionRole, string(u.Role))
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if peerboard.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return nil
	}
	f := views.LoginForm{Next: r.URL.Query().Get("next"), SignedOut: r.URL.Query().Has("signed_out")}
	s.render(w, r, http.StatusOK, views.Login(s.page(r, "Sign in"), f))
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email := peerboard.NormalizeEmail(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	f := views.LoginForm{Email: email, Next: r.PostForm.Get("next"), Errors: views.Errors{}}
	again := func(status int) error {
		s.render(w, r, status, views.Login(s.page(r, "Sign in"), f))
		return nil
	}
	if email == "" {
		f.Errors["email"] = "Enter your email address."
	}
	if password == "" {
		f.Errors["password"] = "Enter your password."
	}
	if len(f.Errors) > 0 {
		return again(http.StatusUnprocessableEntity)
	}
	// Both limits count every attempt: per client address and per account.
	if s.loginByClient.OnLimit(w, r, "ip:"+s.clientIP(r)) || s.loginByAccount.OnLimit(w, r, "acct:"+email) {
		f.Message = "Too many sign-in attempts. Wait 15 minutes and try again."
		return again(http.StatusTooManyRequests)
	}
	u, err := s.db.UserByEmail(r.Context(), email)
	switch {
	case peerboard.ErrorCode(err) == peerboard.ENOTFOUND:
		peerboard.CheckPasswordAgainstNothing(password)
	case err != nil:
		return err
	case peerboard.CheckPassword(password, u.PasswordHash):
		if err := s.signIn(r, u); err != nil {
			return err
		}
		http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
		return nil
	}
	f.Message = "The email address or password is not right."
	return again(http.StatusUnprocessableEntity)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	// Destroy deletes the session row; the next visit starts anonymous.
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	return nil
}

// dashboard sends each role to its home.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	u := peerboard.UserFromContext(r.Context())
	switch u.Role {
	case peerboard.RoleApplicant:
		return s.applicantDashboard(w, r)
	case peerboard.RoleTrainer:
		http.Redirect(w, r, "/trainer", http.StatusSeeOther)
	case peerboard.RoleReviewer, peerboard.RoleAdmin:
		http.Redirect(w, r, "/review", http.StatusSeeOther)
	default:
		return peerboard.Errorf(peerboard.EFORBIDDEN, "Your account has no role with a home page.")
	}
	return nil
}
