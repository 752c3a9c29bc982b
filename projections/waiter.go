package projections

import (
	"context"
	"sync"
)

// Waiter tracks how far each projection has got and lets callers wait
// for a position (read-your-writes). Safe for concurrent use.
type Waiter struct {
	mu      sync.Mutex
	pos     map[string]uint64
	changed chan struct{}
}

func newWaiter(names []string) *Waiter {
	w := &Waiter{pos: map[string]uint64{}, changed: make(chan struct{})}
	for _, n := range names {
		w.pos[n] = 0
	}
	return w
}

func (w *Waiter) advance(name string, pos uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if pos <= w.pos[name] {
		return
	}
	w.pos[name] = pos
	close(w.changed)
	w.changed = make(chan struct{})
}

// Min returns the lowest position every projection has reached.
func (w *Waiter) Min() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.minLocked()
}

func (w *Waiter) minLocked() uint64 {
	first := true
	var m uint64
	for _, p := range w.pos {
		if first || p < m {
			m, first = p, false
		}
	}
	return m
}

// Position returns one projection's position.
func (w *Waiter) Position(name string) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pos[name]
}

// Positions returns a copy of every projection's position.
func (w *Waiter) Positions() map[string]uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]uint64, len(w.pos))
	for k, v := range w.pos {
		out[k] = v
	}
	return out
}

// WaitFor blocks until every projection has processed pos, or ctx ends.
func (w *Waiter) WaitFor(ctx context.Context, pos uint64) error {
	for {
		w.mu.Lock()
		reached := w.minLocked() >= pos
		ch := w.changed
		w.mu.Unlock()
		if reached {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
