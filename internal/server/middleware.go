package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// csp allows only the portal's own scripts, styles, fonts and images: no
// inline script, no framing, no plugins, no <base> tricks.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
	"object-src 'none'; base-uri 'none'"

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(peerboard.NewContextWithRequestID(r.Context(), id)))
	})
}

// securityHeaders sets the baseline on every response before anything is
// written, so 404s, errors and static files carry it too.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	secure := s.cfg.Secure()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages may show personal details: never store them in shared caches.
			// Public pages override this where caching is safe.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs every 4xx and 5xx with its request id, in JSON; 2xx and
// 3xx at debug level so production logs stay quiet.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slog.LevelDebug
		switch {
		case rec.status >= 500:
			level = slog.LevelError
		case rec.status >= 400:
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "request",
			"request_id", peerboard.RequestIDFromContext(r.Context()),
			"method", r.Method, "path", loggedPath(r.URL.Path), "status", rec.status,
			"bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.renderError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate loads the signed-in user named by the session. A user whose
// role changed since sign-in gets a new session token, so a token stolen
// before the change does not carry the new rights.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetInt64(r.Context(), sessionUserID)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.db.UserByID(r.Context(), id)
		if peerboard.ErrorCode(err) == peerboard.ENOTFOUND {
			_ = s.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		} else if err != nil {
			s.renderError(w, r, err)
			return
		}
		if role := s.sessions.GetString(r.Context(), sessionRole); role != string(u.Role) {
			if err := s.sessions.RenewToken(r.Context()); err != nil {
				s.renderError(w, r, err)
				return
			}
			s.sessions.Put(r.Context(), sessionRole, string(u.Role))
		}
		next.ServeHTTP(w, r.WithContext(peerboard.NewContextWithUser(r.Context(), u)))
	})
}

// clientIP is the connection's address; X-Forwarded-For counts only when
// the operator says a trusted proxy sets it.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loggedPath keeps secrets out of logs: the token of an email confirmation
// or password reset link is as good as the link itself.
func loggedPath(p string) string {
	for _, prefix := range []string{"/confirm-email/", "/reset-password/"} {
		if strings.HasPrefix(p, prefix) && p != "/confirm-email/resend" {
			return prefix + "[token]"
		}
	}
	return p
}
