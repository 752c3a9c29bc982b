package projections

import (
	"context"
	"sync"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// job is one request event to act on.
type job struct {
	rec eventstore.RecordedEvent
	ev  domain.Event
}

// keyedQueue runs jobs one at a time per key (an instance), in the order
// they were added, and at most limit keys at once. It drops a job whose
// event is already queued or running for its key. Jobs run only between
// start and stop; jobs added before start wait. Safe for concurrent use.
type keyedQueue struct {
	run  func(ctx context.Context, j job)
	sem  chan struct{}
	mu   sync.Mutex
	ctx  context.Context // nil when stopped
	q    map[int64][]job
	busy map[int64]bool
	seen map[int64]map[string]bool // event ids queued or running, per key
	wg   sync.WaitGroup
}

func newKeyedQueue(limit int, run func(ctx context.Context, j job)) *keyedQueue {
	return &keyedQueue{run: run, sem: make(chan struct{}, max(1, limit)),
		q: map[int64][]job{}, busy: map[int64]bool{}, seen: map[int64]map[string]bool{}}
}

// add queues j under key.
func (k *keyedQueue) add(key int64, j job) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.seen[key] == nil {
		k.seen[key] = map[string]bool{}
	}
	if k.seen[key][j.rec.ID] {
		return
	}
	k.seen[key][j.rec.ID] = true
	k.q[key] = append(k.q[key], j)
	k.dispatchLocked(key)
}

func (k *keyedQueue) dispatchLocked(key int64) {
	if k.ctx == nil || k.busy[key] || len(k.q[key]) == 0 {
		return
	}
	k.busy[key] = true
	k.wg.Add(1)
	go k.drain(k.ctx, key)
}

// drain runs key's jobs until its queue is empty or ctx ends.
func (k *keyedQueue) drain(ctx context.Context, key int64) {
	defer k.wg.Done()
	for {
		k.mu.Lock()
		if ctx.Err() != nil || len(k.q[key]) == 0 {
			delete(k.busy, key)
			k.mu.Unlock()
			return
		}
		j := k.q[key][0]
		k.q[key] = k.q[key][1:]
		k.mu.Unlock()
		select {
		case k.sem <- struct{}{}:
			k.run(ctx, j)
			<-k.sem
		case <-ctx.Done():
		}
		k.mu.Lock()
		delete(k.seen[key], j.rec.ID)
		if len(k.q[key]) == 0 {
			delete(k.q, key)
			delete(k.seen, key)
		}
		k.mu.Unlock()
	}
}

// start runs queued and future jobs on ctx.
func (k *keyedQueue) start(ctx context.Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ctx = ctx
	for key := range k.q {
		k.dispatchLocked(key)
	}
}

// stop forgets every queued job (the next lease holder finds the work
// again) and waits for the running ones to return; ctx must be done.
func (k *keyedQueue) stop() {
	k.mu.Lock()
	k.ctx = nil
	clear(k.q)
	clear(k.seen)
	k.mu.Unlock()
	k.wg.Wait()
}
