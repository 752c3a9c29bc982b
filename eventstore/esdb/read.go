package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// unbounded is the count asked of the server when a read stops on its own
// (end of stream, limit reached, first match); the server streams pages
// and gRPC flow control bounds what is in flight.
const unbounded = math.MaxInt64

// ReadStream returns the events of stream with revision >= from, in
// revision order; an unknown stream gives an empty slice and no error.
// Events are returned as stored, without the system-event filter (Append
// never writes "$" types).
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	op := fmt.Sprintf("reading stream %q", stream)
	if err := s.begin(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer s.ops.Done()

	rs, err := s.conn.ReadStream(ctx, stream, client.ReadStreamOptions{From: client.Revision(from)}, unbounded)
	if err != nil {
		return nil, mapError(ctx, op, err)
	}
	defer rs.Close()
	out := []eventstore.RecordedEvent{}
	for {
		ev, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case isNotFound(err):
			return []eventstore.RecordedEvent{}, nil
		case err != nil:
			return nil, mapError(ctx, op, err)
		}
		rec, err := fromRecorded(ev.OriginalEvent())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, rec)
	}
}

// ReadAll returns at most limit events with position > after, in position
// order, reading $all forwards from after and leaving out system events
// and the adapter's ID claims. limit must be positive. Positions that do
// not strictly increase (events of one legacy explicit transaction share
// a commit position) are reported as an error rather than hidden.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error) {
	op := fmt.Sprintf("reading $all after %d", after)
	if limit <= 0 {
		return nil, fmt.Errorf("%s: limit %d must be positive", op, limit)
	}
	if err := s.begin(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer s.ops.Done()

	rs, err := s.conn.ReadAll(ctx, client.ReadAllOptions{From: allPosition(after)}, unbounded)
	if err != nil {
		return nil, mapError(ctx, op, err)
	}
	defer rs.Close()
	out := []eventstore.RecordedEvent{}
	last := after
	for len(out) < limit {
		ev, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, mapError(ctx, op, err)
		}
		re := ev.OriginalEvent()
		if re == nil || isHidden(re.StreamID, re.EventType) {
			continue
		}
		rec, err := fromRecorded(re)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		switch {
		case rec.Position <= after:
			continue // the read is inclusive, the checkpoint is not
		case rec.Position <= last:
			return nil, fmt.Errorf("%s: position %d of event %s does not follow %d", op, rec.Position, rec.ID, last)
		}
		last = rec.Position
		out = append(out, rec)
	}
	return out, nil
}

// Head returns the position of the last event of $all that ReadAll would
// return (not a system event, not an ID claim), or 0 when there is none.
// It reads $all backwards until the first such event.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	const op = "reading the head of $all"
	if err := s.begin(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	defer s.ops.Done()

	rs, err := s.conn.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, unbounded)
	if err != nil {
		return 0, mapError(ctx, op, err)
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return 0, nil
		case err != nil:
			return 0, mapError(ctx, op, err)
		}
		re := ev.OriginalEvent()
		if re == nil || isHidden(re.StreamID, re.EventType) {
			continue
		}
		pos, err := positionOf(re.Position)
		if err != nil {
			return 0, fmt.Errorf("%s: event %s: %w", op, re.EventID, err)
		}
		return pos, nil
	}
}
