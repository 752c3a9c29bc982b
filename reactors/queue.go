package reactors

import (
	"context"
	"sync"
)

// dirtySet is a work queue of ids: marking an id asks for it to be worked
// on once more. An id is worked on by one worker at a time; marks that
// arrive meanwhile make it run again afterwards, so nothing marked is
// missed and no id runs twice at once. Safe for concurrent use.
type dirtySet struct {
	mu    sync.Mutex
	dirty map[int64]bool
	busy  map[int64]bool
	order []int64 // dirty ids that are not busy, oldest first
	wake  chan struct{}
}

func newDirtySet() *dirtySet {
	return &dirtySet{dirty: map[int64]bool{}, busy: map[int64]bool{}, wake: make(chan struct{}, 1)}
}

// mark asks for id to be worked on.
func (q *dirtySet) mark(id int64) {
	q.mu.Lock()
	if !q.dirty[id] {
		q.dirty[id] = true
		if !q.busy[id] {
			q.order = append(q.order, id)
		}
	}
	q.mu.Unlock()
	q.signal()
}

func (q *dirtySet) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next takes the oldest id that is dirty and not busy.
func (q *dirtySet) next() (int64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 {
		return 0, false
	}
	id := q.order[0]
	q.order = q.order[1:]
	delete(q.dirty, id)
	q.busy[id] = true
	return id, true
}

// done ends work on id; if it was marked meanwhile, it is queued again.
func (q *dirtySet) done(id int64) {
	q.mu.Lock()
	delete(q.busy, id)
	again := q.dirty[id]
	if again {
		q.order = append(q.order, id)
	}
	q.mu.Unlock()
	if again {
		q.signal()
	}
}

// run works on marked ids with n workers until ctx ends.
func (q *dirtySet) run(ctx context.Context, n int, work func(context.Context, int64)) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				id, ok := q.next()
				if !ok {
					select {
					case <-ctx.Done():
					case <-q.wake:
					}
					continue
				}
				work(ctx, id)
				q.done(id)
				q.signal() // another worker may be waiting for the rest
			}
		})
	}
	wg.Wait()
}
