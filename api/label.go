package api

import (
	"net/http"
	"strings"
)

// RouteLabel names what r calls, for metrics: a catalogue method name,
// "openapi" or "docs" for the API description, or "" for anything else.
// It never returns the raw path, so label values stay bounded. Safe for
// concurrent use.
func (s *Server) RouteLabel(r *http.Request) string {
	p := r.URL.Path
	switch {
	case isOpenAPIPath(p):
		return "openapi"
	case isDocsPath(p):
		return "docs"
	}
	rest, ok := strings.CutPrefix(p, "/api/v1/")
	if !ok {
		if rest, ok = strings.CutPrefix(p, "/v1/"); !ok {
			return ""
		}
	}
	name, _, _ := strings.Cut(rest, "/")
	if _, known := s.methods[name]; known {
		return name
	}
	return ""
}
