package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrWrongExpectedVersion is returned (wrapped) by Append when the stream's
// current revision does not match the expected revision. The API maps it to
// 409 Conflict.
var ErrWrongExpectedVersion = errors.New("wrong expected version")

// ErrClosed is returned by a store that has been closed.
var ErrClosed = errors.New("event store closed")

// ErrUnavailable wraps adapter errors that mean the backing store cannot be
// reached right now (the API maps it to 503).
var ErrUnavailable = errors.New("event store unavailable")

// MaxPosition is the largest global position a store may hand out: positions
// are sent to JavaScript clients as JSON numbers, so they stay below 2^53.
const MaxPosition = 1<<53 - 1

// Actor kinds recorded in Metadata.ActorKind.
const (
	ActorUser      = "user"      // a uivmm user, ActorID is the user id
	ActorSystem    = "system"    // uivmm itself (reactors, CLI, housekeeping)
	ActorExternal  = "external"  // something outside uivmm, e.g. an LXD host; ActorName names it
	ActorAnonymous = "anonymous" // an unauthenticated API caller (registration, login, recovery)
)

// Metadata travels with every event. It names who caused the event and in
// answer to which request. It must never hold a secret.
type Metadata struct {
	ActorID       int64  `json:"actor_id"`
	ActorKind     string `json:"actor_kind"`
	ActorName     string `json:"actor_name,omitempty"`
	RequestID     string `json:"request_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	ClientAddr    string `json:"client_addr,omitempty"`
	// Command names the command (a stable name such as "ssh-key.add")
	// that produced the event, when one did. With RequestID it lets a
	// retried command find its earlier outcome.
	Command string `json:"command,omitempty"`
}

// EventData is an event to append. ID is chosen by the caller (a UUID): the
// same ID appended again at the same expected revision is an idempotent
// retry. Type is a stable string constant, never a Go type name.
type EventData struct {
	ID       string
	Type     string
	Data     json.RawMessage
	Metadata Metadata
}

// RecordedEvent is an event as the store keeps it.
type RecordedEvent struct {
	// Position is the event's global position in the log: strictly
	// increasing in commit order, > 0 and <= MaxPosition.
	Position uint64
	// Stream and Revision place the event in its stream; the first event
	// of a stream has revision 0.
	Stream   string
	Revision uint64
	ID       string
	Type     string
	Data     json.RawMessage
	Metadata Metadata
	// Time is when the event was appended (UTC).
	Time time.Time
}

// AppendResult reports where an append landed: the revision of the last
// event written to the stream and the global position of that event.
type AppendResult struct {
	NextRevision uint64
	Position     uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

// ExpectedRevision is the optimistic-concurrency guard of an append.
type ExpectedRevision struct {
	kind expectKind
	rev  uint64
}

// Any accepts whatever the stream's state is.
func Any() ExpectedRevision { return ExpectedRevision{kind: expectAny} }

// NoStream requires that the stream has no events yet.
func NoStream() ExpectedRevision { return ExpectedRevision{kind: expectNoStream} }

// StreamExists requires that the stream has at least one event.
func StreamExists() ExpectedRevision { return ExpectedRevision{kind: expectStreamExists} }

// Exact requires that the stream's last event has revision rev.
func Exact(rev uint64) ExpectedRevision { return ExpectedRevision{kind: expectExact, rev: rev} }

// IsAny, IsNoStream, IsStreamExists and Exact report the guard's kind.
func (e ExpectedRevision) IsAny() bool          { return e.kind == expectAny }
func (e ExpectedRevision) IsNoStream() bool     { return e.kind == expectNoStream }
func (e ExpectedRevision) IsStreamExists() bool { return e.kind == expectStreamExists }

// ExactRevision returns the revision and true when the guard is Exact.
func (e ExpectedRevision) ExactRevision() (uint64, bool) { return e.rev, e.kind == expectExact }

// Check reports whether a stream whose last revision is last (exists=false
// for a stream with no events) satisfies the guard. Adapters that compute
// revisions themselves use it so every adapter agrees on the rules.
func (e ExpectedRevision) Check(last uint64, exists bool) bool {
	switch e.kind {
	case expectNoStream:
		return !exists
	case expectStreamExists:
		return exists
	case expectExact:
		return exists && last == e.rev
	default:
		return true
	}
}

// String renders the guard for error messages.
func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no stream"
	case expectStreamExists:
		return "stream exists"
	case expectExact:
		return fmt.Sprintf("revision %d", e.rev)
	default:
		return "any"
	}
}

// WrongExpectedVersionError carries the details of a failed guard. It
// matches ErrWrongExpectedVersion with errors.Is.
type WrongExpectedVersionError struct {
	Stream   string
	Expected ExpectedRevision
	// Actual is the stream's last revision; ActualExists is false for a
	// stream with no events.
	Actual       uint64
	ActualExists bool
}

func (e *WrongExpectedVersionError) Error() string {
	actual := "no stream"
	if e.ActualExists {
		actual = fmt.Sprintf("revision %d", e.Actual)
	}
	return fmt.Sprintf("stream %q: expected %s, found %s: %s", e.Stream, e.Expected, actual, ErrWrongExpectedVersion)
}

// Is makes errors.Is(err, ErrWrongExpectedVersion) hold.
func (e *WrongExpectedVersionError) Is(target error) bool { return target == ErrWrongExpectedVersion }

// Handler receives events from a subscription, one at a time, in position
// order. Returning an error ends the subscription with that error.
type Handler func(ctx context.Context, ev RecordedEvent) error

// Store is the event store port. Implementations are safe for concurrent
// use by many goroutines.
type Store interface {
	// Append writes events to the end of stream atomically if expected
	// holds, and returns only after the write is durable. Appending events
	// whose IDs are already stored at the same place (an idempotent retry)
	// succeeds, writes nothing, and returns the original result. A failed
	// guard returns an error matching ErrWrongExpectedVersion. Appending no
	// events is an error.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...EventData) (AppendResult, error)

	// ReadStream returns the events of stream with revision >= from, in
	// revision order; an unknown stream gives an empty slice and no error.
	ReadStream(ctx context.Context, stream string, from uint64) ([]RecordedEvent, error)

	// ReadAll returns at most limit events with position > after, in
	// position order. after is an exclusive checkpoint: 0 reads from the
	// start of the log.
	ReadAll(ctx context.Context, after uint64, limit int) ([]RecordedEvent, error)

	// Head returns the position of the last event in the log (0 if empty).
	Head(ctx context.Context) (uint64, error)

	// Subscribe calls h for every event with position > after: first the
	// stored ones (catch-up), then new ones as they are committed (live),
	// with no gap and no duplicate at the hand-over. It blocks until ctx is
	// done (returning ctx.Err()), h fails (returning its error) or the store
	// fails.
	Subscribe(ctx context.Context, after uint64, h Handler) error

	// Close releases the store. Appends in flight finish first.
	Close() error
}
