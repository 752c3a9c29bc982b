package unique

import (
	"fmt"
	"strings"

	"github.com/uivmm/uivmm/domain"
)

// Stable event type names.
const (
	TypeReserved = "sequence:reserved"
	TypeClaimed  = "claim:claimed"
	TypeReleased = "claim:released"
)

// Reserved is one id handed out by a sequence; the id is its revision + 1.
type Reserved struct {
	Kind string `json:"kind"`
}

// Claimed reserves a key for Owner.
type Claimed struct {
	Key   string `json:"key"`
	Owner int64  `json:"owner"`
}

// Released frees a key.
type Released struct {
	Key   string `json:"key"`
	Owner int64  `json:"owner"`
}

func (Reserved) EventType() string { return TypeReserved }
func (Claimed) EventType() string  { return TypeClaimed }
func (Released) EventType() string { return TypeReleased }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Reserved{} },
		func() domain.Event { return &Claimed{} },
		func() domain.Event { return &Released{} },
	)
}

// SequenceStream names the id sequence of an aggregate kind.
func SequenceStream(kind string) string { return "seq-" + kind }

// ClaimStream names the claim stream of key within namespace (e.g.
// "login", "email", "server"). Keys are compared case-insensitively.
func ClaimStream(namespace, key string) string {
	return fmt.Sprintf("claim-%s-%s", namespace, strings.ToLower(key))
}

// Claim is the aggregate behind one claim stream.
type Claim struct {
	root  domain.Root
	key   string
	owner int64
}

// NewClaim returns an empty claim for key.
func NewClaim(key string) *Claim { return &Claim{key: key} }

// Root implements domain.Aggregate.
func (c *Claim) Root() *domain.Root { return &c.root }

// Owner returns the current owner, or 0 when the key is free.
func (c *Claim) Owner() int64 { return c.owner }

// When applies one event.
func (c *Claim) When(e domain.Event) {
	switch ev := e.(type) {
	case *Claimed:
		c.owner = ev.Owner
	case *Released:
		c.owner = 0
	}
}

// Take claims the key for owner. Taking a key one already owns records
// nothing; a key owned by someone else is a conflict with detail.
func (c *Claim) Take(owner int64, detail string) error {
	switch c.owner {
	case owner:
		return nil
	case 0:
		domain.Record(c, &Claimed{Key: c.key, Owner: owner})
		return nil
	default:
		return domain.Conflict(detail)
	}
}

// Release frees the key if owner holds it; otherwise it records nothing.
func (c *Claim) Release(owner int64) {
	if c.owner == owner && owner != 0 {
		domain.Record(c, &Released{Key: c.key, Owner: owner})
	}
}
