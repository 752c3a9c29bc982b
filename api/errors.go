package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// ErrorObject is one JSON:API error.
type ErrorObject struct {
	Status string `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Source *struct {
		Pointer string `json:"pointer"`
	} `json:"source,omitempty"`
}

var kindStatus = map[domain.Kind]int{
	domain.KindInternal: 500, domain.KindInvalid: 400, domain.KindUnauthorized: 401,
	domain.KindForbidden: 403, domain.KindNotFound: 404, domain.KindConflict: 409,
	domain.KindTooLarge: 413, domain.KindRateLimited: 429, domain.KindUpstream: 502,
	domain.KindUnavailable: 503, domain.KindTimeout: 504,
	domain.KindMethodNotAllowed: 405, domain.KindUnsupportedMedia: 415,
}

// ErrorMapper recognises adapter errors (LXD, simplestreams, passkeys)
// that are not domain errors and translates them. Adapters' packages
// register one each at wiring time.
type ErrorMapper func(err error) (*domain.Error, bool)

// classify turns any error into a domain.Error; this and writeError are
// the only places where a status is chosen.
func (s *Server) classify(err error) *domain.Error {
	if de, ok := domain.As(err); ok {
		return de
	}
	for _, m := range s.mappers {
		if de, ok := m(err); ok {
			return de
		}
	}
	switch {
	case errors.Is(err, eventstore.ErrWrongExpectedVersion):
		return &domain.Error{Kind: domain.KindConflict, Detail: "the resource was changed concurrently, try again", Err: err}
	case errors.Is(err, eventstore.ErrUnavailable):
		return &domain.Error{Kind: domain.KindUnavailable, Detail: "event store unavailable", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &domain.Error{Kind: domain.KindTimeout, Detail: "the request timed out", Err: err}
	}
	return &domain.Error{Kind: domain.KindInternal, Detail: "internal error", Err: err}
}

// writeError maps err to a status and a JSON:API error body. The cause is
// logged; only the safe detail is sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	de := s.classify(err)
	status := kindStatus[de.Kind]
	if status == 0 {
		status = 500
	}
	lvl := slog.LevelDebug
	if status >= 500 {
		lvl = slog.LevelError
	}
	s.log.Log(r.Context(), lvl, "request failed", "request_id", requestID(r.Context()), "status", status, "err", err.Error())
	obj := ErrorObject{Status: strconv.Itoa(status), Code: de.Kind.String(), Detail: de.Detail}
	if obj.Detail == "" {
		obj.Detail = http.StatusText(status)
	}
	if de.Field != "" {
		obj.Source = &struct {
			Pointer string `json:"pointer"`
		}{Pointer: "/" + de.Field}
	}
	if status == http.StatusTooManyRequests {
		if ra, ok := de.Err.(interface{ RetryAfter() int }); ok {
			w.Header().Set("Retry-After", strconv.Itoa(ra.RetryAfter()))
		}
	}
	writeJSON(w, status, map[string][]ErrorObject{"errors": {obj}}, s.opts.PrettyPrint)
}
