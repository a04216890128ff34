// Package web holds the portal's look: the templ views (in views/) and the
// static assets, embedded in the binary so it serves them with no CDN.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

//go:embed static
var staticFS embed.FS

// Static is the embedded static tree, rooted at static/.
var Static, _ = fs.Sub(staticFS, "static")

// fingerprints maps each asset path to a short hash of its bytes; embed.FS
// has no modification times, so the hash is what lets browsers cache forever.
var fingerprints = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
})

// Asset returns the URL of a static file with its fingerprint, e.g.
// /static/app.css?v=1a2b3c4d5e6f.
func Asset(name string) string {
	if v, ok := fingerprints()[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

// StaticHandler serves the embedded assets under /static/. A request that
// carries the current fingerprint is cached for a year; others (the fonts
// and icons USWDS loads by relative path) for a day.
func StaticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(Static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		v, ok := fingerprints()[name]
		switch {
		case !ok:
			http.NotFound(w, r)
			return
		case r.URL.Query().Get("v") == v:
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		default:
			w.Header().Set("Cache-Control", "public, max-age=86400")
		}
		files.ServeHTTP(w, r)
	})
}
