package server

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/peerboard/peerboard/internal/postgres/pgtest"
)

// MountFailingRoutes adds /test/boom (a handler returning an internal
// error) and /test/panic to s, so tests outside the package can see what a
// 500 looks like. The routes have no policy: never use s for the policy walk.
func MountFailingRoutes(s *Server) {
	s.router.Get("/test/boom", s.handle(func(http.ResponseWriter, *http.Request) error {
		return fmt.Errorf("load widget: %w", errors.New("boom: secret connection string"))
	}))
	s.router.Get("/test/panic", func(http.ResponseWriter, *http.Request) { panic("secret panic value") })
}

// TestInternalErrorIsLoggedNotShown proves that a 500 shows a friendly page
// with the request id while the log gets the error chain and the same id.
func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	var logs bytes.Buffer
	s := New(DefaultConfig("http://peerboard.test"), pgtest.New(t), slog.New(slog.NewJSONHandler(&logs, nil)))
	MountFailingRoutes(s)
	h := s.Handler()

	for _, path := range []string{"/test/boom", "/test/panic"} {
		t.Run(path, func(t *testing.T) {
			logs.Reset()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500", rec.Code)
			}
			body := rec.Body.String()
			id := rec.Header().Get("X-Request-Id")
			if id == "" {
				t.Fatal("no request id header")
			}
			if !strings.Contains(body, "Something went wrong") {
				t.Error("page does not say Something went wrong")
			}
			if !strings.Contains(body, id) {
				t.Errorf("page does not show request id %s", id)
			}
			for _, secret := range []string{"boom", "secret", "widget"} {
				if strings.Contains(body, secret) {
					t.Errorf("page leaks %q", secret)
				}
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("500 without the CSP: %q", csp)
			}
			log := logs.String()
			if !strings.Contains(log, `"level":"ERROR"`) || !strings.Contains(log, id) || !strings.Contains(log, "secret") {
				t.Errorf("log lacks the error with its request id:\n%s", log)
			}
		})
	}
}
