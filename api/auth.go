package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/readmodels"
	"github.com/uivmm/uivmm/secrets"
)

var errNoToken = domain.Unauthorized(token.DetailNotFound)

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate checks the bearer token: it must exist, be unrevoked and
// unexpired, and belong to an existing user. Every failure is a 401 (and
// only these are). The lookup is by the token's hash.
func (s *Server) authenticate(r *http.Request) (*readmodels.User, int64, error) {
	raw := BearerToken(r)
	if raw == "" {
		return nil, 0, errNoToken
	}
	return s.Authenticate(r, raw)
}

// Authenticate resolves a raw bearer token to its user (used by the
// stream for event.auth and Authorization on the GET or upgrade).
func (s *Server) Authenticate(r *http.Request, raw string) (*readmodels.User, int64, error) {
	if len(raw) > 512 {
		return nil, 0, domain.Unauthorized(token.DetailNotFound)
	}
	t, err := s.rm.TokenByHash(r.Context(), secrets.Hash(raw))
	if errors.Is(err, readmodels.ErrNotFound) {
		return nil, 0, domain.Unauthorized(token.DetailNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	if t.RevokedAt != 0 {
		return nil, 0, domain.Unauthorized(token.DetailRevoked)
	}
	if time.Now().Unix() >= t.ExpiresAt {
		return nil, 0, domain.Unauthorized("token has expired")
	}
	u, err := s.rm.UserByID(r.Context(), t.UserID)
	if errors.Is(err, readmodels.ErrNotFound) {
		return nil, 0, domain.Unauthorized(token.DetailNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	return &u, t.ID, nil
}
