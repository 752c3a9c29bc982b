package follow

import (
	"context"
	"errors"
	"fmt"

	"github.com/uivmm/uivmm/eventstore"
)

// DefaultPageSize is the page size Follow uses when Source.PageSize is not
// positive.
const DefaultPageSize = 512

// ReadFunc reads at most limit events with position > after, in position
// order. Every call must read one consistent snapshot in which the events
// form a prefix of the log: no event is visible unless every event with a
// lower position is too. That property is what makes Follow gap-free.
type ReadFunc func(ctx context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error)

// Source is the log Follow tails.
type Source struct {
	// Read pages through the log.
	Read ReadFunc
	// Wake must be notified after new events may have become visible
	// (after an in-process commit, and by a poller for other processes).
	Wake *Signal
	// Done is closed when the store closes; Follow then returns
	// eventstore.ErrClosed.
	Done <-chan struct{}
	// PageSize is the limit passed to Read (DefaultPageSize if <= 0).
	PageSize int
}

// Follow calls h for every event with position > after, in position order:
// first the stored ones, then new ones as Wake announces them. Each read
// starts after the last delivered position, and the wake channel is taken
// before each read, so there is no gap and no duplicate between catch-up and
// live. Follow returns ctx.Err() when ctx is done, h's error when h fails,
// eventstore.ErrClosed when Done closes, and a wrapped read error otherwise.
func Follow(ctx context.Context, src Source, after uint64, h eventstore.Handler) error {
	limit := src.PageSize
	if limit <= 0 {
		limit = DefaultPageSize
	}
	for {
		wake := src.Wake.Wait()
		page, err := src.Read(ctx, after, limit)
		if err != nil {
			return readError(ctx, src.Done, after, err)
		}
		if after, err = deliver(ctx, after, page, h); err != nil {
			return err
		}
		if len(page) >= limit {
			continue
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-src.Done:
			return eventstore.ErrClosed
		}
	}
}

// deliver hands page to h in order and returns the last delivered position.
func deliver(ctx context.Context, after uint64, page []eventstore.RecordedEvent, h eventstore.Handler) (uint64, error) {
	for _, ev := range page {
		if err := ctx.Err(); err != nil {
			return after, err
		}
		if ev.Position <= after {
			return after, fmt.Errorf("follow: read returned position %d, not after %d", ev.Position, after)
		}
		if err := h(ctx, ev); err != nil {
			return after, err
		}
		after = ev.Position
	}
	return after, ctx.Err()
}

// readError maps a failed read to the error Follow returns: the context's
// error when it is done, ErrClosed when the store closed, else err wrapped.
func readError(ctx context.Context, done <-chan struct{}, after uint64, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	select {
	case <-done:
		return eventstore.ErrClosed
	default:
	}
	if errors.Is(err, eventstore.ErrClosed) {
		return err
	}
	return fmt.Errorf("follow: reading after position %d: %w", after, err)
}
