package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// policy says who may use a route. Every route declares one (deny by
// default); TestEveryRouteHasAPolicy walks the router to prove it.
type policy struct {
	name  string
	allow func(*peerboard.User) bool
}

var (
	public     = policy{"public", func(*peerboard.User) bool { return true }}
	signedIn   = policy{"signed in", func(u *peerboard.User) bool { return u != nil }}
	applicants = policy{"applicant", peerboard.CanApply}
	trainers   = policy{"trainer", peerboard.CanTrain}
	staff      = policy{"reviewer", peerboard.CanReview}
	admins     = policy{"admin", peerboard.CanAdminister}
)

// route registers h for method and pattern behind policy p.
func (s *Server) route(r chi.Router, method, pattern string, p policy, h handlerFunc) {
	s.policies[method+" "+pattern] = p
	r.Method(method, pattern, s.enforce(p, s.handle(h)))
}

// enforce sends anonymous visitors of a protected page to sign in and
// answers 403 to a signed-in user whose role lacks the page.
func (s *Server) enforce(p policy, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := peerboard.UserFromContext(r.Context())
		switch {
		case p.allow(u):
			next.ServeHTTP(w, r)
		case u == nil && r.Method == http.MethodGet && !isAPI(r):
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case u == nil:
			s.renderError(w, r, peerboard.Errorf(peerboard.EUNAUTHORIZED, "Please sign in first."))
		default:
			s.renderError(w, r, peerboard.Errorf(peerboard.EFORBIDDEN, "Your account's role does not include this page."))
		}
	})
}

// PolicyOf returns the declared policy name of a route, for tests.
func (s *Server) PolicyOf(method, pattern string) (string, bool) {
	p, ok := s.policies[method+" "+pattern]
	return p.name, ok
}

// Router exposes the chi router, for tests that walk it.
func (s *Server) Router() chi.Router { return s.router }

func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	// Error pages load the session read-only, so a signed-in user keeps their header.
	withUser := func(h http.HandlerFunc) http.HandlerFunc {
		return s.sessions.LoadAndSave(s.authenticate(h)).ServeHTTP
	}
	r.NotFound(withUser(func(w http.ResponseWriter, r *http.Request) { s.errorPage(w, r, http.StatusNotFound, "") }))
	r.MethodNotAllowed(withUser(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusMethodNotAllowed, "")
	}))

	// Probes carry no session.
	s.route(r, http.MethodGet, "/healthz", public, s.healthz)
	s.route(r, http.MethodGet, "/readyz", public, s.readyz)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.authenticate)

		s.route(r, http.MethodGet, "/", public, s.home)
		s.route(r, http.MethodGet, "/register", public, s.registerForm)
		s.route(r, http.MethodPost, "/register", public, s.register)
		s.route(r, http.MethodGet, "/login", public, s.loginForm)
		s.route(r, http.MethodPost, "/login", public, s.login)
		s.route(r, http.MethodPost, "/logout", signedIn, s.logout)
		s.route(r, http.MethodGet, "/dashboard", signedIn, s.dashboard)

		s.applicantRoutes(r)
		s.trainerRoutes(r)
		s.reviewerRoutes(r)
		s.adminRoutes(r)
		s.verifyRoutes(r)
		s.mailRoutes(r)
		s.ceRoutes(r)
		s.renewalRoutes(r)
		s.confirmRoutes(r)
		s.resetRoutes(r)
		s.configRoutes(r)
		s.peopleRoutes(r)
	})
	return r
}
