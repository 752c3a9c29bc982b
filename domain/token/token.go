package token

import (
	"fmt"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Token types, as the API shows them.
const (
	TypeLogin = "user.login"
	TypeAPI   = "system.api"
)

// Stable event type names.
const (
	TypeIssued  = "token:issued"
	TypeRevoked = "token:revoked"
)

// Details the original front-end translates.
const (
	DetailNotFound = "token not found"
	DetailRevoked  = "token has been revoked"
)

// MaxLifetime bounds an API token's lifetime (token.create).
const MaxLifetime = 10 * 365 * 24 * time.Hour

// DetailBadLifetime is the 400 detail of a lifetime out of range.
const DetailBadLifetime = "the token lifetime must be between 1 second and 10 years"

// ValidateLifetime checks a token.create lifetime in seconds.
func ValidateLifetime(secs int64) error {
	if secs < 1 || secs > int64(MaxLifetime/time.Second) {
		return domain.Invalid("token_lifetime", DetailBadLifetime)
	}
	return nil
}

// Issued is the first event of a token stream. Hash is the sha256 of the
// secret; the secret itself is never recorded.
type Issued struct {
	TokenID   int64  `json:"token_id"`
	UserID    int64  `json:"user_id"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Hash      string `json:"hash"`
	StartAt   int64  `json:"start_at"`
	ExpiresAt int64  `json:"expires_at"`
}

// Revoked ends a token. Reason is "logout", "revoke", "revoke_all".
type Revoked struct {
	Reason string `json:"reason"`
	At     int64  `json:"at"`
}

func (Issued) EventType() string  { return TypeIssued }
func (Revoked) EventType() string { return TypeRevoked }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(func() domain.Event { return &Issued{} }, func() domain.Event { return &Revoked{} })
}

// Stream names token id's stream.
func Stream(id int64) string { return fmt.Sprintf("token-%d", id) }

// Token is the aggregate.
type Token struct {
	root      domain.Root
	id        int64
	userID    int64
	kind      string
	name      string
	expiresAt int64
	revokedAt int64
}

// New returns an empty token.
func New() *Token { return &Token{} }

// Root implements domain.Aggregate.
func (t *Token) Root() *domain.Root { return &t.root }

// Accessors.
func (t *Token) ID() int64     { return t.id }
func (t *Token) UserID() int64 { return t.userID }
func (t *Token) Kind() string  { return t.kind }
func (t *Token) Name() string  { return t.name }
func (t *Token) Revoked() bool { return t.revokedAt != 0 }

// When applies one event.
func (t *Token) When(e domain.Event) {
	switch ev := e.(type) {
	case *Issued:
		t.id, t.userID, t.kind, t.name, t.expiresAt = ev.TokenID, ev.UserID, ev.Kind, ev.Name, ev.ExpiresAt
	case *Revoked:
		t.revokedAt = ev.At
	}
}

// Issue records a new token.
func (t *Token) Issue(ev Issued) error {
	if t.id != 0 {
		return domain.Conflict("token already issued")
	}
	if ev.Kind != TypeLogin && ev.Kind != TypeAPI {
		return fmt.Errorf("issuing token: unknown kind %q", ev.Kind)
	}
	domain.Record(t, &ev)
	return nil
}

// Revoke ends the token. Revoking a revoked token records nothing.
func (t *Token) Revoke(reason string, now time.Time) {
	if t.revokedAt != 0 || t.id == 0 {
		return
	}
	domain.Record(t, &Revoked{Reason: reason, At: max(now.Unix(), 1)})
}
