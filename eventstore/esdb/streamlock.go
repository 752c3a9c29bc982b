package esdb

import (
	"context"
	"sync"
)

// streamLocks serialises the appends of one process to one stream, so the
// read-claims, append, write-claims sequence of Append is not interleaved
// with another append to that stream from this process (EventStoreDB
// would otherwise drop concurrent identical appends as "idempotent, not
// ready" until they time out). Appends to different streams run in
// parallel. The zero value is ready to use.
type streamLocks struct {
	mu    sync.Mutex
	locks map[string]*streamLock
}

type streamLock struct {
	sem  chan struct{}
	refs int
}

// lock waits until stream is free or ctx ends. On success the returned
// function releases the stream and must be called exactly once.
func (l *streamLocks) lock(ctx context.Context, stream string) (func(), error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*streamLock{}
	}
	sl := l.locks[stream]
	if sl == nil {
		sl = &streamLock{sem: make(chan struct{}, 1)}
		l.locks[stream] = sl
	}
	sl.refs++
	l.mu.Unlock()

	select {
	case sl.sem <- struct{}{}:
		return func() {
			<-sl.sem
			l.release(stream, sl)
		}, nil
	case <-ctx.Done():
		l.release(stream, sl)
		return nil, ctx.Err()
	}
}

// release drops one reference to sl and forgets it when unused.
func (l *streamLocks) release(stream string, sl *streamLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sl.refs--
	if sl.refs == 0 {
		delete(l.locks, stream)
	}
}
