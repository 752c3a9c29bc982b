package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Retries of requests that are safe to repeat (appends carrying fixed
// event IDs) after the server aborted them: EventStoreDB aborts an
// idempotent duplicate that arrives before the original is committed,
// and a request sent to a follower.
const (
	maxRetries = 3
	retryDelay = 100 * time.Millisecond
)

// isRetryable reports whether err is an abort that a repeat may clear.
func isRetryable(err error) bool {
	code, ok := clientCode(err)
	return ok && (code == client.ErrorAborted || code == client.ErrorCodeNotLeader)
}

// retry calls fn until it succeeds, fails in a way a repeat cannot fix,
// has been repeated maxRetries times, or ctx ends; delays double.
func retry[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	delay := retryDelay
	for attempt := 0; ; attempt++ {
		v, err := fn()
		if err == nil || attempt == maxRetries || !isRetryable(err) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return v, err
		}
		delay *= 2
	}
}

// lookupClaims returns the claim of every ID, nil where there is none.
func (s *Store) lookupClaims(ctx context.Context, ids []string) ([]*claim, error) {
	claims := make([]*claim, len(ids))
	for i, id := range ids {
		c, err := s.readClaim(ctx, id)
		if err != nil {
			return nil, mapError(ctx, fmt.Sprintf("looking up event id %s", id), err)
		}
		claims[i] = c
	}
	return claims, nil
}

// readClaim returns the claim of id, or nil when id is unclaimed.
func (s *Store) readClaim(ctx context.Context, id string) (*claim, error) {
	rs, err := s.conn.ReadStream(ctx, claimStream(id), client.ReadStreamOptions{}, 1)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	ev, err := rs.Recv()
	switch {
	case isNotFound(err), errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, err
	}
	var c claim
	if err := json.Unmarshal(ev.OriginalEvent().Data, &c); err != nil {
		return nil, fmt.Errorf("decoding claim of event id %s: %w", id, err)
	}
	return &c, nil
}

// writeClaims records that the event with ids[i] is stored at claims[i].
// Re-claiming the same place is a no-op; an ID claimed for another place
// (two appends of one ID to different places racing) is an error wrapping
// errEventIDReused.
func (s *Store) writeClaims(ctx context.Context, ids []string, claims []claim) error {
	for i, id := range ids {
		data, err := json.Marshal(claims[i])
		if err != nil {
			return fmt.Errorf("encoding claim of event id %s: %w", id, err)
		}
		ev := client.EventData{
			EventID:     claimEventID(id, claims[i]),
			EventType:   claimType,
			ContentType: client.ContentTypeJson,
			Data:        data,
		}
		opts := client.AppendToStreamOptions{ExpectedRevision: client.NoStream{}}
		_, err = retry(ctx, func() (*client.WriteResult, error) {
			return s.conn.AppendToStream(ctx, claimStream(id), opts, ev)
		})
		if isWrongExpectedVersion(err) {
			err = s.claimConflict(ctx, id, claims[i])
		}
		if err != nil {
			return mapError(ctx, fmt.Sprintf("claiming event id %s", id), err)
		}
	}
	return nil
}

// claimConflict explains why id could not be claimed for want.
func (s *Store) claimConflict(ctx context.Context, id string, want claim) error {
	got, err := s.readClaim(ctx, id)
	switch {
	case err != nil:
		return err
	case got != nil && got.Stream == want.Stream && got.Revision == want.Revision:
		return nil
	case got == nil:
		return fmt.Errorf("claim stream of event id %s exists but holds no claim", id)
	}
	return fmt.Errorf("%w: event %s is stored both in %q at revision %d and in %q at revision %d",
		errEventIDReused, id, got.Stream, got.Revision, want.Stream, want.Revision)
}
