package esdb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

// EventStoreDB keeps no index by event ID: its idempotency check only
// compares IDs at the revisions an append targets, and appending a stored
// ID to another stream, or to the same stream at another revision, writes
// a second copy. The port forbids that, so the adapter keeps its own
// index: after an append it writes, per event, a claim event to the
// stream claimPrefix+ID, guarded by NoStream, recording where the event
// landed. Before an append it reads the claims of the batch.
//
// Claim streams are hidden from ReadAll, Head and Subscribe, and Append
// refuses stream names with claimPrefix.
const (
	claimPrefix = "uivmm-event-id-"
	claimType   = "esdb:event_id_claimed"
)

// claimNamespace seeds the deterministic IDs of claim events, so two
// writers claiming the same place write the same event (idempotent) and
// writers claiming different places conflict.
var claimNamespace = uuid.MustParse("0d4f9a56-4a6e-4e38-9a0e-3f1c7f1f6a11")

// errEventIDReused is wrapped by Append when an event ID is already stored
// somewhere other than where the append would put it.
var errEventIDReused = errors.New("event id already stored elsewhere")

// claim records where an event is stored: the data of a claim event.
type claim struct {
	Stream   string `json:"stream"`
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

// claimStream names the claim stream of an event ID.
func claimStream(id string) string { return claimPrefix + id }

// claimEventID is the ID of the claim event for id stored at c.
func claimEventID(id string, c claim) uuid.UUID {
	return uuid.NewSHA1(claimNamespace, fmt.Appendf(nil, "%s\n%s\n%d", id, c.Stream, c.Revision))
}

// isHidden reports whether an event of $all is not part of the port's log:
// EventStoreDB's own events and the adapter's claims.
func isHidden(stream, eventType string) bool {
	return isSystemType(eventType) || strings.HasPrefix(stream, claimPrefix)
}

// verdict is what the claims of a batch say about appending it.
type verdict int

const (
	// verdictFresh: no ID of the batch is claimed; append it.
	verdictFresh verdict = iota
	// verdictStored: every ID is claimed, in batch order, at consecutive
	// revisions of the target stream; the append is a retry.
	verdictStored
	// verdictPartial: some IDs are claimed consistently with the batch
	// having been stored; the stream itself must tell (a crash between an
	// append and its claims leaves this state).
	verdictPartial
)

// classify reads the claims found for the batch ids (nil: unclaimed). It
// returns the verdict and, unless fresh, the revision the batch's first
// event is stored at. A claim in another stream, or at a revision that
// does not fit the batch's order, is an error wrapping errEventIDReused.
func classify(stream string, ids []string, claims []*claim) (verdict, uint64, error) {
	var (
		base    uint64
		found   int
		hasBase bool
	)
	for i, c := range claims {
		if c == nil {
			continue
		}
		if c.Stream != stream {
			return 0, 0, fmt.Errorf("%w: event %s is stored in %q at revision %d", errEventIDReused, ids[i], c.Stream, c.Revision)
		}
		if c.Revision < uint64(i) {
			return 0, 0, fmt.Errorf("%w: event %s is stored at revision %d, before the events it follows", errEventIDReused, ids[i], c.Revision)
		}
		b := c.Revision - uint64(i)
		if hasBase && b != base {
			return 0, 0, fmt.Errorf("%w: event %s is stored at revision %d, apart from the rest of the batch", errEventIDReused, ids[i], c.Revision)
		}
		base, hasBase = b, true
		found++
	}
	switch found {
	case 0:
		return verdictFresh, 0, nil
	case len(claims):
		return verdictStored, base, nil
	}
	return verdictPartial, base, nil
}

// placeMatches reports whether expected is the guard under which a batch
// now stored from revision base could have been appended: a retry must
// name the same place as the original append. It asks the port's
// ExpectedRevision.Check, so every adapter agrees on the rule.
func placeMatches(expected eventstore.ExpectedRevision, base uint64) bool {
	if base == 0 {
		return expected.Check(0, false)
	}
	return expected.Check(base-1, true)
}
