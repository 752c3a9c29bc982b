package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/internal/follow"
)

// ReadStream returns the events of stream with revision >= from, in
// revision order, from one consistent snapshot.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if from > math.MaxInt64 {
		from = math.MaxInt64
	}
	evs, err := s.query(ctx, 16, s.rstmts.stream, stream, int64(from))
	if err != nil {
		return nil, s.readError(err, fmt.Sprintf("reading stream %q", stream))
	}
	return evs, nil
}

// ReadAll returns at most limit events with position > after, in position
// order, from one consistent snapshot. limit must be positive.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("reading log: limit %d must be positive", limit)
	}
	if after > math.MaxInt64 {
		after = math.MaxInt64
	}
	if err := ctx.Err(); err != nil {
		return nil, s.readError(err, fmt.Sprintf("reading log after %d", after))
	}
	if evs, ok := s.tail.read(after, limit, s.head.Load()); ok {
		if s.isClosed() {
			return nil, eventstore.ErrClosed
		}
		return evs, nil
	}
	var evs []eventstore.RecordedEvent
	var err error
	if limit >= bulkPage {
		evs, err = s.readAllBulk(ctx, int64(after), limit)
	} else {
		evs, err = s.query(ctx, limit, s.rstmts.all, int64(after), limit)
	}
	if err != nil {
		return nil, s.readError(err, fmt.Sprintf("reading log after %d", after))
	}
	return evs, nil
}

// Head returns the position of the last event in the log (0 if empty).
func (s *Store) Head(ctx context.Context) (uint64, error) {
	if s.isClosed() {
		return 0, eventstore.ErrClosed
	}
	var head int64
	if err := s.rstmts.head.QueryRowContext(ctx).Scan(&head); err != nil {
		return 0, s.readError(err, "reading head")
	}
	s.learnHead(uint64(head))
	return uint64(head), nil
}

// Subscribe calls h for every event with position > after, catch-up then
// live, as the port describes. Live events arrive right after an
// in-process commit, and within the poll interval after a commit by another
// process. It returns eventstore.ErrClosed when the store closes.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	return follow.Follow(ctx, follow.Source{Read: s.ReadAll, Wake: s.wake, Done: s.done}, after, h)
}

// readError maps a failed read: ErrClosed once the store is closed.
func (s *Store) readError(err error, what string) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return classify(err, what)
}

// query runs stmt and scans its event rows. The statement runs in one
// implicit read transaction, so its rows are one snapshot of the log.
// sizeHint is the most rows expected: the slice starts with room for up
// to 8 of them (a RecordedEvent is large, and a follower polling with a
// page of 512 mostly gets a few) and grows from there.
func (s *Store) query(ctx context.Context, sizeHint int, stmt *sql.Stmt, args ...any) ([]eventstore.RecordedEvent, error) {
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	evs := make([]eventstore.RecordedEvent, 0, min(max(sizeHint, 0), 8))
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

func scanEvent(rows *sql.Rows) (eventstore.RecordedEvent, error) {
	var (
		ev             eventstore.RecordedEvent
		pos, rev, nano int64
		data           []byte
		meta           sql.RawBytes // decoded at once, never kept
	)
	if err := rows.Scan(&pos, &ev.Stream, &rev, &ev.ID, &ev.Type, &data, &meta, &nano); err != nil {
		return ev, fmt.Errorf("scanning event: %w", err)
	}
	if err := decodeMetadata(meta, &ev.Metadata); err != nil {
		return ev, fmt.Errorf("decoding metadata of event at position %d: %w", pos, err)
	}
	ev.Position, ev.Revision = uint64(pos), uint64(rev)
	ev.Data = data
	ev.Time = time.Unix(0, nano).UTC()
	return ev, nil
}

// runPoller wakes subscriptions when the head moves, which catches appends
// committed by other processes. It stops when the store closes.
func (s *Store) runPoller(head uint64) {
	defer s.workers.Done()
	tick := time.NewTicker(s.cfg.pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
		var now int64
		if err := s.rstmts.head.QueryRowContext(s.bg).Scan(&now); err != nil {
			continue // subscriptions see read failures themselves
		}
		if uint64(now) != head {
			head = uint64(now)
			s.learnHead(head)
			s.wake.Notify()
		}
	}
}

// learnHead raises the store's known head to pos.
func (s *Store) learnHead(pos uint64) {
	for {
		cur := s.head.Load()
		if pos <= cur || s.head.CompareAndSwap(cur, pos) {
			return
		}
	}
}
