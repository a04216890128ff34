package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/postgres/pgtest"
	"github.com/peerboard/peerboard/internal/server"
)

// declaredPolicyNames are the policies routes.go defines; a route with any other
// name was declared with a policy nobody reviewed.
var declaredPolicyNames = []string{"public", "signed in", "applicant", "trainer", "reviewer", "admin"}

type walkedRoute struct{ method, pattern string }

// walkRoutes lists every method and pattern registered on s's router.
func walkRoutes(t testing.TB, s *server.Server) []walkedRoute {
	t.Helper()
	var out []walkedRoute
	err := chi.Walk(s.Router(), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, walkedRoute{method, pattern})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// undeclaredRoutes returns the routes of s that have no declared policy.
func undeclaredRoutes(t testing.TB, s *server.Server) []string {
	t.Helper()
	var out []string
	for _, r := range walkRoutes(t, s) {
		if _, ok := s.PolicyOf(r.method, r.pattern); !ok {
			out = append(out, r.method+" "+r.pattern)
		}
	}
	return out
}

// TestEveryRouteHasAPolicy is deny by default made checkable: a route added
// with r.Get instead of s.route fails here.
func TestEveryRouteHasAPolicy(t *testing.T) {
	app := newTestApp(t)
	routes := walkRoutes(t, app.srv)
	if len(routes) < 7 {
		t.Fatalf("walked only %d routes: %v", len(routes), routes)
	}
	if missing := undeclaredRoutes(t, app.srv); len(missing) > 0 {
		t.Errorf("routes without a declared policy (register them with s.route):\n  %s", strings.Join(missing, "\n  "))
	}
	for _, r := range routes {
		if name, ok := app.srv.PolicyOf(r.method, r.pattern); ok && !slices.Contains(declaredPolicyNames, name) {
			t.Errorf("%s %s has unknown policy %q", r.method, r.pattern, name)
		}
	}
	for _, want := range []struct{ method, pattern, policy string }{
		{"GET", "/", "public"},
		{"GET", "/login", "public"},
		{"POST", "/login", "public"},
		{"GET", "/register", "public"},
		{"POST", "/register", "public"},
		{"POST", "/logout", "signed in"},
		{"GET", "/dashboard", "signed in"},
		{"GET", "/healthz", "public"},
		{"GET", "/readyz", "public"},
	} {
		if got, ok := app.srv.PolicyOf(want.method, want.pattern); !ok || got != want.policy {
			t.Errorf("%s %s policy = %q (declared %v), want %q", want.method, want.pattern, got, ok, want.policy)
		}
	}
}

// TestPolicyWalkCatchesUndeclaredRoute proves the walk above can fail.
func TestPolicyWalkCatchesUndeclaredRoute(t *testing.T) {
	s := server.New(server.DefaultConfig("http://peerboard.test"), pgtest.New(t), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if missing := undeclaredRoutes(t, s); len(missing) > 0 {
		t.Fatalf("fresh server already has undeclared routes: %v", missing)
	}
	s.Router().Get("/undeclared", func(http.ResponseWriter, *http.Request) {})
	s.Router().Post("/undeclared/{id}", func(http.ResponseWriter, *http.Request) {})
	missing := undeclaredRoutes(t, s)
	want := []string{"GET /undeclared", "POST /undeclared/{id}"}
	if !slices.Equal(missing, want) {
		t.Errorf("undeclared = %v, want %v", missing, want)
	}
}

// routeParamRE matches chi's URL parameters, e.g. {id} or {id:[0-9]+}.
var routeParamRE = regexp.MustCompile(`\{[^}]*\}`)

// TestProtectedRoutesRefuseAnonymous tries every route that is not public
// without a session: GETs are sent to sign in, other methods get 401, and
// nothing is ever 2xx.
func TestProtectedRoutesRefuseAnonymous(t *testing.T) {
	app := newTestApp(t)
	for _, r := range walkRoutes(t, app.srv) {
		name, _ := app.srv.PolicyOf(r.method, r.pattern)
		if name == "public" {
			continue
		}
		path := strings.ReplaceAll(routeParamRE.ReplaceAllString(r.pattern, "1"), "*", "x")
		t.Run(r.method+" "+r.pattern, func(t *testing.T) {
			c := app.client()
			req, err := http.NewRequest(r.method, app.ts.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res := c.do(req)
			switch {
			case strings.HasPrefix(r.pattern, "/api/"):
				wantStatus(t, res, http.StatusUnauthorized)
			case r.method == http.MethodGet:
				wantStatus(t, res, http.StatusSeeOther)
				if !strings.HasPrefix(res.Location(), "/login?next=") {
					t.Errorf("Location = %q, want /login?next=...", res.Location())
				}
			default:
				wantStatus(t, res, http.StatusUnauthorized)
			}
		})
	}
}
