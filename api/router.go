package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// Handler returns the HTTP handler: both /api/v1/<method> and
// /v1/<method> (the original ingress stripped /api).
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestIDs, s.accessLog, s.recoverer)
	if !s.opts.DisableOutputCompression {
		r.Use(gzipResponses)
	}
	s.describeRoutes(r)
	for _, prefix := range []string{"/api/v1", "/v1"} {
		r.HandleFunc(prefix+"/{method}", s.dispatch)
		r.HandleFunc(prefix+"/{method}/*", s.dispatch)
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, domain.NotFound("unknown path"))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &domain.Error{Kind: domain.KindMethodNotAllowed, Detail: "method not allowed"})
	})
	var h http.Handler = r
	for i := len(s.mw) - 1; i >= 0; i-- {
		h = s.mw[i](h)
	}
	return h
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "method")
	m, ok := s.methods[name]
	if !ok {
		s.writeError(w, r, domain.NotFound("unknown method "+safeName(name)))
		return
	}
	if chi.URLParam(r, "*") != "" && m.Raw == nil {
		s.writeError(w, r, domain.NotFound("unknown path"))
		return
	}
	if r.Method != http.MethodPost && !(m.GET && (r.Method == http.MethodGet || r.Method == http.MethodHead)) {
		allow := "POST"
		if m.GET {
			allow = "GET, HEAD, POST"
		}
		w.Header().Set("Allow", allow)
		s.writeError(w, r, &domain.Error{Kind: domain.KindMethodNotAllowed, Detail: fmt.Sprintf("%s does not accept %s", name, r.Method)})
		return
	}
	c, err := s.newCall(r, m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if m.Raw != nil {
		m.Raw(w, r, c)
		return
	}
	doc, err := m.JSON(r.Context(), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, doc, s.opts.PrettyPrint)
}

func (s *Server) newCall(r *http.Request, m Method) (*Call, error) {
	c := &Call{Method: m.Name, Request: r}
	if m.Auth != AuthNone {
		u, tokenID, err := s.authenticate(r)
		switch {
		case err == nil:
			c.User, c.TokenID = u, tokenID
		case m.Auth == AuthRequired || !errors.Is(err, errNoToken):
			if m.Auth == AuthRequired {
				return nil, err
			}
		}
	}
	if m.Raw == nil {
		limit := s.opts.MaxBody
		if m.MaxBody > 0 {
			limit = m.MaxBody
		}
		body, err := readBody(r, limit)
		if err != nil {
			return nil, err
		}
		var probe map[string]json.RawMessage
		if err := decode(body, &probe); err != nil {
			return nil, err
		}
		c.Body = body
	}
	reqID := requestID(r.Context())
	if c.Body != nil {
		reqID = adoptRequestID(r.Context(), c.Body)
	}
	c.Meta = eventstore.Metadata{ActorKind: eventstore.ActorAnonymous, RequestID: reqID,
		CorrelationID: reqID, ClientAddr: clientAddr(r)}
	if c.User != nil {
		c.Meta.ActorKind, c.Meta.ActorID, c.Meta.ActorName = eventstore.ActorUser, c.User.ID, c.User.Login
		if box, ok := r.Context().Value(reqIDKey).(*reqIDBox); ok {
			box.userID = c.User.ID
		}
	}
	return c, nil
}

func safeName(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func (s *Server) requestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		box := &reqIDBox{id: newRequestID(r)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqIDKey, box)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	return sr.ResponseWriter.Write(b)
}

// NoteStatus records the status of a response written on a taken-over
// connection (the event stream's SSE path).
func (sr *statusRecorder) NoteStatus(code int) {
	if sr.status == 0 {
		sr.status = code
	}
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (sr *statusRecorder) Unwrap() http.ResponseWriter { return sr.ResponseWriter }

// Flush forwards to the underlying writer (SSE needs it).
func (sr *statusRecorder) Flush() {
	if f, ok := sr.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog writes one structured line per request: never a body, a
// token or a query string (it may hold a stream id).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", requestID(r.Context())), slog.Int64("user_id", userIDOf(r.Context())),
			slog.String("verb", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)),
			slog.String("client", clientAddr(r)))
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "request_id", requestID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, r, &domain.Error{Kind: domain.KindInternal, Detail: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func userIDOf(ctx context.Context) int64 {
	if b, ok := ctx.Value(reqIDKey).(*reqIDBox); ok {
		return b.userID
	}
	return 0
}
