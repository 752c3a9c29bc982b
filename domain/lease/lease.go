package lease

import (
	"errors"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Stable event type names.
const (
	TypeAcquired   = "lease:acquired"
	TypeRenewed    = "lease:renewed"
	TypeReleased   = "lease:released"
	TypeCheckpoint = "lease:checkpoint"
)

// Acquired: Holder took the lease (free, expired, or released before).
type Acquired struct {
	Holder    string `json:"holder"`
	ExpiresAt int64  `json:"expires_at"` // unix milliseconds
	Position  uint64 `json:"position"`   // the checkpoint it resumes from
}

// Renewed: Holder extended its lease.
type Renewed struct {
	Holder    string `json:"holder"`
	ExpiresAt int64  `json:"expires_at"`
}

// Released: Holder gave the lease up (clean shutdown).
type Released struct {
	Holder string `json:"holder"`
}

// Checkpoint: Holder has acted on every event up to Position.
type Checkpoint struct {
	Holder   string `json:"holder"`
	Position uint64 `json:"position"`
}

func (Acquired) EventType() string   { return TypeAcquired }
func (Renewed) EventType() string    { return TypeRenewed }
func (Released) EventType() string   { return TypeReleased }
func (Checkpoint) EventType() string { return TypeCheckpoint }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Acquired{} },
		func() domain.Event { return &Renewed{} },
		func() domain.Event { return &Released{} },
		func() domain.Event { return &Checkpoint{} },
	)
}

// Stream names the lease of a reactor group.
func Stream(group string) string { return "lease-" + group }

// ErrHeld is returned when another holder's lease has not expired.
var ErrHeld = errors.New("lease held by another process")

// ErrNotHolder is returned when a non-holder renews or checkpoints.
var ErrNotHolder = errors.New("not the lease holder")

// Lease is the aggregate.
type Lease struct {
	root      domain.Root
	holder    string
	expiresAt int64
	position  uint64
}

// New returns an empty lease.
func New() *Lease { return &Lease{} }

// Root implements domain.Aggregate.
func (l *Lease) Root() *domain.Root { return &l.root }

// Holder, ExpiresAt and Position expose the state.
func (l *Lease) Holder() string       { return l.holder }
func (l *Lease) ExpiresAt() time.Time { return time.UnixMilli(l.expiresAt) }
func (l *Lease) Position() uint64     { return l.position }
func (l *Lease) HeldBy(h string, now time.Time) bool {
	return l.holder == h && now.UnixMilli() < l.expiresAt
}

// When applies one event.
func (l *Lease) When(e domain.Event) {
	switch ev := e.(type) {
	case *Acquired:
		l.holder, l.expiresAt = ev.Holder, ev.ExpiresAt
	case *Renewed:
		l.expiresAt = ev.ExpiresAt
	case *Released:
		l.holder, l.expiresAt = "", 0
	case *Checkpoint:
		if ev.Position > l.position {
			l.position = ev.Position
		}
	}
}

// Acquire takes the lease for holder if it is free or expired; renewing
// one's own lease is Renew.
func (l *Lease) Acquire(holder string, now time.Time, ttl time.Duration) error {
	if l.holder != "" && l.holder != holder && now.UnixMilli() < l.expiresAt {
		return ErrHeld
	}
	if l.HeldBy(holder, now) {
		return l.Renew(holder, now, ttl)
	}
	domain.Record(l, &Acquired{Holder: holder, ExpiresAt: now.Add(ttl).UnixMilli(), Position: l.position})
	return nil
}

// Renew extends holder's unexpired lease.
func (l *Lease) Renew(holder string, now time.Time, ttl time.Duration) error {
	if !l.HeldBy(holder, now) {
		return ErrNotHolder
	}
	domain.Record(l, &Renewed{Holder: holder, ExpiresAt: now.Add(ttl).UnixMilli()})
	return nil
}

// Advance records holder's progress. Moving backwards records nothing.
func (l *Lease) Advance(holder string, pos uint64, now time.Time) error {
	if !l.HeldBy(holder, now) {
		return ErrNotHolder
	}
	if pos > l.position {
		domain.Record(l, &Checkpoint{Holder: holder, Position: pos})
	}
	return nil
}

// Release gives the lease up.
func (l *Lease) Release(holder string) {
	if l.holder == holder && holder != "" {
		domain.Record(l, &Released{Holder: holder})
	}
}
