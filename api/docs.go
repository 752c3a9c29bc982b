package api

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
)

// docsAssets holds the API docs page: an HTML shell, its script and its
// style, with no third-party resource, so the page works offline.
//
//go:embed static/docs.html static/docs.js static/docs.css
var docsAssets embed.FS

// docsPage is the assembled page and its Content-Security-Policy, which
// allows exactly the inline script and style (by hash) and fetches from
// this origin.
var docsPage = sync.OnceValues(func() ([]byte, string) {
	read := func(name string) string {
		b, _ := docsAssets.ReadFile("static/" + name) // embedded: cannot fail
		return string(b)
	}
	js, css := read("docs.js"), read("docs.css")
	page := strings.NewReplacer("{{CSS}}", css, "{{JS}}", js).Replace(read("docs.html"))
	csp := "default-src 'none'; script-src " + cspHash(js) + "; style-src " + cspHash(css) +
		"; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return []byte(page), csp
})

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// describeRoutes serves the OpenAPI document and the docs page (GET and
// HEAD, no auth).
func (s *Server) describeRoutes(r chi.Router) {
	for _, p := range openAPIPaths {
		r.Get(p, s.serveOpenAPI)
		r.Head(p, s.serveOpenAPI)
	}
	for _, p := range docsPaths {
		r.Get(p, serveDocs)
		r.Head(p, serveDocs)
	}
}

func serveDocs(w http.ResponseWriter, r *http.Request) {
	page, csp := docsPage()
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}
