// Package server is peerboard's HTTP layer: chi routes, middleware,
// sessions, the one error renderer and thin handlers, one file per area.
package server

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"

	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web"
)

// Config is what the server needs from the environment.
type Config struct {
	// BaseURL is the portal's public address; https turns on Secure
	// cookies with the __Host- prefix and HSTS.
	BaseURL string
	// LoginAttemptsPerAccount and LoginAttemptsPerClient bound sign-in
	// attempts in LoginWindow.
	LoginAttemptsPerAccount int
	LoginAttemptsPerClient  int
	LoginWindow             time.Duration
	// VerifyRequestsPerMinute bounds public verification lookups per client.
	VerifyRequestsPerMinute int
	// TrustProxy makes client addresses come from X-Forwarded-For; set it
	// only behind a proxy that overwrites that header.
	TrustProxy bool
	// SessionIdleTimeout and SessionLifetime bound a signed-in session.
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
}

// DefaultConfig returns production-sensible limits for base.
func DefaultConfig(base string) Config {
	return Config{
		BaseURL:                 base,
		LoginAttemptsPerAccount: 10,
		LoginAttemptsPerClient:  50,
		LoginWindow:             15 * time.Minute,
		VerifyRequestsPerMinute: 120,
		SessionIdleTimeout:      time.Hour,
		SessionLifetime:         12 * time.Hour,
	}
}

// Secure reports whether the portal is served over https.
func (c Config) Secure() bool {
	u, err := url.Parse(c.BaseURL)
	return err == nil && u.Scheme == "https"
}

// Server holds the router and what handlers need. It has no global state:
// tests build as many as they like.
type Server struct {
	cfg      Config
	db       *postgres.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	router   chi.Router
	// policies records the access policy of every route, so a test can
	// prove that none was left undeclared.
	policies map[string]policy

	loginByAccount *httprate.RateLimiter
	loginByClient  *httprate.RateLimiter
	verifyLimiter  *httprate.RateLimiter
}

// New wires a Server. db.Now is the clock every handler reads.
func New(cfg Config, db *postgres.DB, log *slog.Logger) *Server {
	sm := scs.New()
	sm.Store = pgxstore.New(db.Pool)
	sm.IdleTimeout = cfg.SessionIdleTimeout
	sm.Lifetime = cfg.SessionLifetime
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Name = "peerboard_session"
	if cfg.Secure() {
		sm.Cookie.Secure = true
		sm.Cookie.Name = "__Host-peerboard_session"
	}
	s := &Server{
		cfg:            cfg,
		db:             db,
		log:            log,
		sessions:       sm,
		policies:       map[string]policy{},
		loginByAccount: httprate.NewRateLimiter(cfg.LoginAttemptsPerAccount, cfg.LoginWindow),
		loginByClient:  httprate.NewRateLimiter(cfg.LoginAttemptsPerClient, cfg.LoginWindow),
		verifyLimiter:  httprate.NewRateLimiter(cfg.VerifyRequestsPerMinute, time.Minute),
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.renderError(w, r, err) }
	s.router = s.routes()
	return s
}

// Handler returns the whole portal: the outer middleware that applies to
// every response (static files and errors included) around the router.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// Static files sit outside the session middleware: no session row per asset.
	mux.Handle("/static/", web.StaticHandler())
	mux.Handle("/", s.router)
	var h http.Handler = mux
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused. Open the page on this site and try again.")
	}))
	h = cop.Handler(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = s.securityHeaders(h)
	h = s.requestID(h)
	return h
}

// Sessions exposes the session manager for tests and the session cleanup.
func (s *Server) Sessions() *scs.SessionManager { return s.sessions }

func (s *Server) now() time.Time { return s.db.Now() }

// today is the current date on the board's calendar.
func (s *Server) today() time.Time { return s.db.Today() }
