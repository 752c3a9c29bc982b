package follow_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/internal/follow"
)

// memLog is an in-memory log whose reads are prefixes of the log.
type memLog struct {
	mu   sync.Mutex
	evs  []eventstore.RecordedEvent
	wake *follow.Signal
}

func (l *memLog) append() {
	l.mu.Lock()
	l.evs = append(l.evs, eventstore.RecordedEvent{Position: uint64(len(l.evs)) + 1})
	l.mu.Unlock()
	l.wake.Notify()
}

func (l *memLog) read(_ context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if after >= uint64(len(l.evs)) {
		return nil, nil
	}
	page := l.evs[after:]
	return append([]eventstore.RecordedEvent(nil), page[:min(limit, len(page))]...), nil
}

// TestFollowHandOver appends while Follow catches up with a tiny page size:
// every event arrives once, in order.
func TestFollowHandOver(t *testing.T) {
	log := &memLog{wake: follow.NewSignal()}
	for range 100 {
		log.append()
	}
	const total = 5000
	go func() {
		for range total - 100 {
			log.append()
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var last uint64
	err := follow.Follow(ctx, follow.Source{Read: log.read, Wake: log.wake, PageSize: 7}, 0,
		func(_ context.Context, ev eventstore.RecordedEvent) error {
			if ev.Position != last+1 {
				t.Errorf("got position %d after %d", ev.Position, last)
			}
			last = ev.Position
			if last == total {
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) || last != total {
		t.Fatalf("Follow = %v at position %d, want context.Canceled at %d", err, last, total)
	}
}

func TestFollowEnds(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name  string
		read  follow.ReadFunc
		close bool
		want  error
	}{
		{"store closed", func(context.Context, uint64, int) ([]eventstore.RecordedEvent, error) { return nil, nil }, true, eventstore.ErrClosed},
		{"read fails", func(context.Context, uint64, int) ([]eventstore.RecordedEvent, error) { return nil, boom }, false, boom},
		{"read goes backwards", func(context.Context, uint64, int) ([]eventstore.RecordedEvent, error) {
			return []eventstore.RecordedEvent{{Position: 0}}, nil
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			if tc.close {
				close(done)
			}
			err := follow.Follow(t.Context(), follow.Source{Read: tc.read, Wake: follow.NewSignal(), Done: done}, 0,
				func(context.Context, eventstore.RecordedEvent) error { return nil })
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Follow = %v, want %v", err, tc.want)
			}
		})
	}
}
