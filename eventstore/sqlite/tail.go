package sqlite

import (
	"sync"

	"github.com/uivmm/uivmm/eventstore"
)

// tailSize is how many of the last committed events the tail keeps.
const tailSize = 4096

// tail holds the events this process committed last, as the log holds
// them, so that up-to-date followers (the projections, the reactors, the
// event stream) read a commit from memory instead of running a query
// each: with a thousand commits a second those queries were a large part
// of the store's own CPU. It holds one run of consecutive positions; a
// commit that does not continue the run (another process appended in
// between) starts a new one. Reads it cannot answer in full go to the
// database.
type tail struct {
	mu  sync.RWMutex
	evs []eventstore.RecordedEvent // consecutive positions, oldest first
}

// add records events just committed, in position order.
func (t *tail) add(evs []eventstore.RecordedEvent) {
	if len(evs) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ev := range evs {
		if n := len(t.evs); n > 0 && t.evs[n-1].Position+1 != ev.Position {
			t.evs = t.evs[:0]
		}
		t.evs = append(t.evs, ev)
	}
	if len(t.evs) > 2*tailSize {
		t.evs = append(make([]eventstore.RecordedEvent, 0, 2*tailSize+64), t.evs[len(t.evs)-tailSize:]...)
	}
}

// read returns up to limit events after position after, when the tail
// holds the event right after it and either has limit events from there
// or ends at head, the last position this store knows the log to have
// (its own commits, its poller's and Head's readings); ok is false
// otherwise, and the caller reads the database. So a short page misses
// only what other processes appended since the store last learnt the
// head, as if read a moment earlier. Each event's data is the caller's
// own.
func (t *tail) read(after uint64, limit int, head uint64) (evs []eventstore.RecordedEvent, ok bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.evs) == 0 || after+1 < t.evs[0].Position {
		return nil, false
	}
	i := after + 1 - t.evs[0].Position
	if i >= uint64(len(t.evs)) {
		return nil, false
	}
	page := t.evs[i:min(uint64(len(t.evs)), i+uint64(limit))]
	if len(page) < limit && t.evs[len(t.evs)-1].Position < head {
		return nil, false
	}
	evs = make([]eventstore.RecordedEvent, len(page))
	for j, ev := range page {
		ev.Data = append([]byte(nil), ev.Data...)
		evs[j] = ev
	}
	return evs, true
}
