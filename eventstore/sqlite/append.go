package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/uivmm/uivmm/eventstore"
)

// appendReq is one Append call on its way to the writer.
type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedRevision
	events   []eventstore.EventData
	data     []string // events' data as stored
	meta     []string // events' metadata as stored
	reply    chan appendReply
}

type appendReply struct {
	res eventstore.AppendResult
	err error
	// recs are the events written, as the log now holds them (for the
	// tail once the transaction commits).
	recs []eventstore.RecordedEvent
}

// Append writes events to the end of stream if expected holds, as the port
// describes. It returns after the group commit that holds the events is
// durable. If ctx ends first Append returns ctx.Err(); the events may still
// be written, and a retry with the same IDs is then idempotent. An ID
// stored at another place fails the append; so do an empty stream name,
// an empty ID or type, and data that is not JSON (nil data is stored as
// null).
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	req, err := newAppendReq(ctx, stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("appending to stream %q: %w", stream, err)
	}
	if !s.enter() {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	defer s.inflight.Done()
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return eventstore.AppendResult{}, ctx.Err()
	}
	select {
	case rep := <-req.reply:
		return rep.res, rep.err
	case <-ctx.Done():
		return eventstore.AppendResult{}, ctx.Err()
	}
}

// newAppendReq validates an append and encodes its events for storage, so
// the writer goroutine does no per-event work outside SQLite.
func newAppendReq(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (*appendReq, error) {
	if stream == "" {
		return nil, errors.New("stream name is empty")
	}
	if len(events) == 0 {
		return nil, errors.New("no events to append")
	}
	req := &appendReq{
		ctx: ctx, stream: stream, expected: expected, events: events,
		data: make([]string, len(events)), meta: make([]string, len(events)),
		reply: make(chan appendReply, 1),
	}
	seen := make(map[string]bool, len(events))
	for i, ev := range events {
		if err := validateEvent(ev, seen); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		meta, err := json.Marshal(ev.Metadata)
		if err != nil {
			return nil, fmt.Errorf("event %d: encoding metadata: %w", i, err)
		}
		req.data[i], req.meta[i] = string(ev.Data), string(meta)
		if len(ev.Data) == 0 {
			req.data[i] = "null"
		}
	}
	return req, nil
}

func validateEvent(ev eventstore.EventData, seen map[string]bool) error {
	switch {
	case ev.ID == "":
		return errors.New("id is empty")
	case seen[ev.ID]:
		return fmt.Errorf("id %s appears twice", ev.ID)
	case ev.Type == "":
		return errors.New("type is empty")
	case len(ev.Data) > 0 && !json.Valid(ev.Data):
		return errors.New("data is not valid json")
	}
	seen[ev.ID] = true
	return nil
}
