package esdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// Backoff between resubscriptions: it doubles from minBackoff up to
// maxBackoff and starts over once an event has been delivered.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// stopError ends Subscribe with err instead of resubscribing.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// Subscribe calls h for every event with position > after, in position
// order; see eventstore.Store. It runs a catch-up subscription to $all
// from after with the server-side exclude-system-events filter, and skips
// ID claims and every position <= the last one delivered. When the server
// drops the subscription (restart, network, leader change) it resubscribes
// from the last delivered position after a backoff (100 ms doubling to
// 5 s), so there is no gap and no duplicate across resubscriptions. It
// returns ctx.Err() when ctx ends, h's error (unwrapped) when h fails,
// eventstore.ErrClosed when the store closes, and an error when the
// server refuses the subscription (authentication, access) or sends an
// event the port cannot represent. h runs on the calling goroutine.
func (s *Store) Subscribe(ctx context.Context, after uint64, h eventstore.Handler) error {
	if h == nil {
		return errors.New("subscribing to $all: nil handler")
	}
	if err := s.begin(); err != nil {
		return fmt.Errorf("subscribing to $all: %w", err)
	}
	defer s.ops.Done()
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-subCtx.Done():
		}
	}()

	last, delay := after, minBackoff
	for {
		delivered, err := s.subscribeOnce(subCtx, &last, h)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.isClosed() {
			return eventstore.ErrClosed
		}
		if stop := (*stopError)(nil); errors.As(err, &stop) {
			return stop.err
		}
		if delivered {
			delay = minBackoff
		}
		s.log.Warn("eventstoredb subscription dropped, resubscribing",
			"after", last, "backoff", delay, "err", err)
		select {
		case <-time.After(delay):
		case <-subCtx.Done():
		}
		delay = min(2*delay, maxBackoff)
	}
}

// subscribeOnce runs one subscription from *last until it drops, keeping
// *last at the last delivered position. It reports whether it delivered
// anything; a *stopError means Subscribe must end.
func (s *Store) subscribeOnce(ctx context.Context, last *uint64, h eventstore.Handler) (bool, error) {
	opts := client.SubscribeToAllOptions{From: allPosition(*last), Filter: client.ExcludeSystemEventsFilter()}
	sub, err := s.conn.SubscribeToAll(ctx, opts)
	if err != nil {
		return false, dropError(ctx, err)
	}
	defer sub.Close()
	delivered := false
	for {
		msg := sub.Recv()
		if msg.SubscriptionDropped != nil {
			return delivered, dropError(ctx, msg.SubscriptionDropped.Error)
		}
		if msg.EventAppeared == nil {
			continue // checkpoints, caught-up and fell-behind notices
		}
		re := msg.EventAppeared.OriginalEvent()
		if re == nil || isHidden(re.StreamID, re.EventType) {
			continue
		}
		rec, err := fromRecorded(re)
		if err != nil {
			return delivered, &stopError{fmt.Errorf("subscribing to $all: %w", err)}
		}
		if rec.Position <= *last {
			continue // redelivered after a resubscription, or the start itself
		}
		if err := ctx.Err(); err != nil {
			return delivered, err
		}
		if err := h(ctx, rec); err != nil {
			return delivered, &stopError{err}
		}
		*last, delivered = rec.Position, true
	}
}

// dropError classifies why a subscription ended: refusals that a retry
// cannot fix become a *stopError, anything else is resubscribed.
func dropError(ctx context.Context, err error) error {
	if err == nil {
		err = errors.New("subscription dropped")
	}
	if isPermanent(err) {
		return &stopError{mapError(ctx, "subscribing to $all", err)}
	}
	return err
}
