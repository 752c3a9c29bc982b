package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

// tryAppend checks req's guard against the stream as the open transaction
// sees it (earlier requests of the batch included) and inserts its events.
// inserted is false for failures and idempotent retries; err is only set
// when the transaction itself failed.
func (s *Store) tryAppend(req *appendReq, now int64) (rep appendReply, inserted bool, err error) {
	last, exists, err := s.streamHead(req.stream)
	if err != nil {
		return rep, false, err
	}
	if !req.expected.Check(last, exists) {
		rep, err = s.retryOr(req, &eventstore.WrongExpectedVersionError{
			Stream: req.stream, Expected: req.expected, Actual: last, ActualExists: exists,
		})
		return rep, false, err
	}
	next := uint64(0)
	if exists {
		next = last + 1
	}
	var pos int64
	recs := make([]eventstore.RecordedEvent, 0, len(req.events))
	for i, ev := range req.events {
		res, err := s.wstmts.insert.ExecContext(s.bg,
			req.stream, int64(next)+int64(i), ev.ID, ev.Type, req.data[i], req.meta[i], now)
		if isConstraint(err) {
			if _, err := s.wstmts.rollbackTo.ExecContext(s.bg); err != nil {
				return rep, false, classify(err, "rolling back to savepoint")
			}
			rep, err = s.retryOr(req, fmt.Errorf("stream %q: event %s: %w", req.stream, ev.ID, err))
			return rep, false, err
		}
		if err != nil {
			return rep, false, classify(err, "inserting event")
		}
		if pos, err = res.LastInsertId(); err != nil {
			return rep, false, classify(err, "reading position")
		}
		rec := eventstore.RecordedEvent{Position: uint64(pos), Stream: req.stream, Revision: next + uint64(i), ID: ev.ID,
			Type: ev.Type, Data: []byte(req.data[i]), Time: time.Unix(0, now).UTC()}
		if err := decodeMetadata([]byte(req.meta[i]), &rec.Metadata); err != nil {
			return rep, false, fmt.Errorf("decoding metadata just encoded: %w", err)
		}
		recs = append(recs, rec)
	}
	if pos > eventstore.MaxPosition {
		return appendReply{err: fmt.Errorf("stream %q: position %d would exceed the maximum %d",
			req.stream, pos, uint64(eventstore.MaxPosition))}, false, nil
	}
	n := uint64(len(req.events))
	return appendReply{res: eventstore.AppendResult{NextRevision: next + n - 1, Position: uint64(pos)}, recs: recs}, true, nil
}

// streamHead returns the last revision of stream and whether it exists.
func (s *Store) streamHead(stream string) (last uint64, exists bool, err error) {
	var rev int64
	err = s.wstmts.streamHead.QueryRowContext(s.bg, stream).Scan(&rev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, classify(err, "reading stream head")
	}
	return uint64(rev), true, nil
}

// retryOr answers a request that cannot be written as is: with the
// original result if it is an idempotent retry, with the stored place of a
// reused ID if there is one and failure is not a guard failure, and with
// failure otherwise.
func (s *Store) retryOr(req *appendReq, failure error) (appendReply, error) {
	res, conflict, err := s.lookupRetry(req)
	switch {
	case err != nil:
		return appendReply{}, err
	case res != nil:
		return appendReply{res: *res}, nil
	case conflict != nil && !errors.Is(failure, eventstore.ErrWrongExpectedVersion):
		return appendReply{err: conflict}, nil
	}
	return appendReply{err: failure}, nil
}

// storedEvent is where an event ID is stored.
type storedEvent struct {
	stream        string
	revision, pos int64
}

// lookupRetry looks req's IDs up. If all are stored in req's stream, in
// order, at consecutive revisions where req's guard would have held, it
// returns the result the original append returned. If some are stored
// otherwise it returns conflict naming the first of them. With no ID
// stored, all results are nil.
func (s *Store) lookupRetry(req *appendReq) (res *eventstore.AppendResult, conflict, err error) {
	places := make([]*storedEvent, len(req.events))
	var first *storedEvent
	for i, ev := range req.events {
		var at storedEvent
		err := s.wstmts.lookupEvent.QueryRowContext(s.bg, ev.ID).Scan(&at.stream, &at.revision, &at.pos)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, nil, classify(err, "looking up event id")
		}
		places[i] = &at
		if first == nil {
			first = &at
			conflict = fmt.Errorf("event %s is already stored in stream %q at revision %d: %w",
				ev.ID, at.stream, at.revision, errDuplicateID)
		}
	}
	if first == nil || !retryFits(req, places) {
		return nil, conflict, nil
	}
	last := places[len(places)-1]
	return &eventstore.AppendResult{NextRevision: uint64(last.revision), Position: uint64(last.pos)}, nil, nil
}

// retryFits reports whether places put every event of req in req's stream
// at consecutive revisions that req's guard allows.
func retryFits(req *appendReq, places []*storedEvent) bool {
	if places[0] == nil {
		return false
	}
	r0 := places[0].revision
	for i, at := range places {
		if at == nil || at.stream != req.stream || at.revision != r0+int64(i) {
			return false
		}
	}
	return req.expected.Check(uint64(r0-1), r0 > 0)
}
