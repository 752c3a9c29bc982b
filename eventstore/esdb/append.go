package esdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// validStream refuses stream names the adapter cannot own: the empty name,
// EventStoreDB's system streams ("$...") and the adapter's claim streams,
// all of whose events are hidden from ReadAll and Subscribe.
func validStream(stream string) error {
	switch {
	case stream == "":
		return errors.New("empty stream name")
	case strings.HasPrefix(stream, "$"), strings.HasPrefix(stream, claimPrefix):
		return fmt.Errorf("stream name %q is reserved", stream)
	}
	return nil
}

// Append writes events to the end of stream if expected holds; see
// eventstore.Store. Each event's ID must be a canonical lower-case UUID.
// Retrying an append with the same IDs at the same place returns the
// original result and writes nothing; an ID already stored anywhere else
// is an error (see claims.go for the ID index this takes). Event types and
// stream names starting with "$" are refused. A failed guard returns a
// *eventstore.WrongExpectedVersionError; an unreachable server returns an
// error matching eventstore.ErrUnavailable. Appends to one stream from
// one Store run one at a time.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	op := fmt.Sprintf("appending to %q", stream)
	if err := validStream(stream); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	if len(events) == 0 {
		return eventstore.AppendResult{}, fmt.Errorf("%s: no events", op)
	}
	now := s.now()
	data := make([]client.EventData, len(events))
	ids := make([]string, len(events))
	seen := make(map[string]bool, len(events))
	for i, ev := range events {
		if seen[ev.ID] {
			return eventstore.AppendResult{}, fmt.Errorf("%s: event id %s appears twice", op, ev.ID)
		}
		seen[ev.ID] = true
		d, err := toEventData(ev, now)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
		}
		data[i], ids[i] = d, ev.ID
	}
	if err := s.begin(); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	defer s.ops.Done()
	unlock, err := s.locks.lock(ctx, stream)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	defer unlock()

	res, err := s.appendLocked(ctx, stream, expected, ids, data)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	return res, nil
}

// appendLocked decides, from the claims of ids, whether the append is
// fresh, a retry or a reuse, and acts on it.
func (s *Store) appendLocked(ctx context.Context, stream string, expected eventstore.ExpectedRevision, ids []string, data []client.EventData) (eventstore.AppendResult, error) {
	found, err := s.lookupClaims(ctx, ids)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	v, base, err := classify(stream, ids, found)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if v == verdictFresh {
		return s.appendFresh(ctx, stream, expected, ids, data)
	}
	// Stored, or partly claimed: the stream must hold the batch at base.
	positions, err := s.readBack(ctx, stream, base, ids)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if v == verdictPartial {
		if err := s.writeClaims(ctx, ids, claimsAt(stream, base, positions)); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	if !placeMatches(expected, base) {
		return eventstore.AppendResult{}, fmt.Errorf("%w: the events are stored from revision %d, not where %s puts them",
			errEventIDReused, base, expected)
	}
	last := len(ids) - 1
	return eventstore.AppendResult{NextRevision: base + uint64(last), Position: positions[last]}, nil
}

// appendFresh sends the batch to the server, reads back where it landed
// and claims its IDs.
func (s *Store) appendFresh(ctx context.Context, stream string, expected eventstore.ExpectedRevision, ids []string, data []client.EventData) (eventstore.AppendResult, error) {
	opts := client.AppendToStreamOptions{ExpectedRevision: expectedRevision(expected)}
	res, err := retry(ctx, func() (*client.WriteResult, error) {
		return s.conn.AppendToStream(ctx, stream, opts, data...)
	})
	if isWrongExpectedVersion(err) {
		return eventstore.AppendResult{}, wrongVersion(stream, expected, err, func() (uint64, bool, error) {
			return s.lastRevision(ctx, stream)
		})
	}
	if err != nil {
		return eventstore.AppendResult{}, mapError(ctx, "writing events", err)
	}
	n := uint64(len(ids))
	if res.NextExpectedVersion+1 < n {
		return eventstore.AppendResult{}, fmt.Errorf("server reports revision %d after writing %d events", res.NextExpectedVersion, n)
	}
	base := res.NextExpectedVersion + 1 - n
	positions, err := s.readBack(ctx, stream, base, ids)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.writeClaims(ctx, ids, claimsAt(stream, base, positions)); err != nil {
		return eventstore.AppendResult{}, err
	}
	return eventstore.AppendResult{NextRevision: res.NextExpectedVersion, Position: positions[n-1]}, nil
}

// claimsAt lists the claims of a batch stored in stream from revision base.
func claimsAt(stream string, base uint64, positions []uint64) []claim {
	out := make([]claim, len(positions))
	for i, pos := range positions {
		out[i] = claim{Stream: stream, Revision: base + uint64(i), Position: pos}
	}
	return out
}

// readBack reads the events of stream from revision base, checks that
// they are the batch ids in order, and returns their global positions.
// Reading back (rather than trusting the write result's single commit
// position) gives every event's own position, for fresh writes and for
// retries alike.
func (s *Store) readBack(ctx context.Context, stream string, base uint64, ids []string) ([]uint64, error) {
	rs, err := s.conn.ReadStream(ctx, stream, client.ReadStreamOptions{From: client.Revision(base)}, uint64(len(ids)))
	if err != nil {
		return nil, mapError(ctx, "reading back appended events", err)
	}
	defer rs.Close()
	positions := make([]uint64, len(ids))
	for i, id := range ids {
		ev, err := rs.Recv()
		if err != nil {
			return nil, mapError(ctx, fmt.Sprintf("reading back event %s", id), err)
		}
		re := ev.OriginalEvent()
		if re.EventID.String() != id || re.EventNumber != base+uint64(i) {
			return nil, fmt.Errorf("%w: %q holds event %s at revision %d, not %s",
				errEventIDReused, stream, re.EventID, re.EventNumber, id)
		}
		if positions[i], err = positionOf(re.Position); err != nil {
			return nil, fmt.Errorf("event %s: %w", id, err)
		}
	}
	return positions, nil
}

// lastRevision returns the revision of the last event of stream, with
// exists false for a stream with no events.
func (s *Store) lastRevision(ctx context.Context, stream string) (uint64, bool, error) {
	rs, err := s.conn.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
	if err != nil {
		return 0, false, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	switch {
	case isNotFound(err):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	return ev.OriginalEvent().EventNumber, true, nil
}
