package projections

import (
	"context"
	"sync"
)

// HeldWorker is work that must run in exactly one process among those
// sharing an event store: the LXD event listeners, and the instance
// reactor's queue. A ReactorRunner runs its held workers only while it
// holds its lease: RunHeld gets a context that ends when the lease is lost
// or the runner stops, and the runner waits for RunHeld to return before
// it competes for the lease again. RunHeld should return only when its
// context ends; an earlier return is logged and not restarted until the
// lease is acquired again.
type HeldWorker interface {
	Name() string
	RunHeld(ctx context.Context) error
}

// Add adds reactors. Call before Run.
func (r *ReactorRunner) Add(rs ...Reactor) { r.reactors = append(r.reactors, rs...) }

// AddHeld adds held workers. Call before Run.
func (r *ReactorRunner) AddHeld(ws ...HeldWorker) { r.held = append(r.held, ws...) }

// runHeld starts the held workers on ctx and returns a function that
// waits until they have all returned.
func (r *ReactorRunner) runHeld(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, w := range r.held {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.RunHeld(ctx)
			if ctx.Err() == nil {
				r.log.Error("held worker stopped early", "worker", w.Name(), "group", r.cfg.Group, "err", err)
			}
		}()
	}
	return wg.Wait
}
