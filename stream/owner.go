package stream

import (
	"context"
	"sync"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

// maxOwnerCache bounds the stream → owner cache; it is cleared when full.
const maxOwnerCache = 100_000

// ownerLookback is how many of a stream's first events are read to find
// its owner when no event seen so far named it.
const ownerLookback = 16

// owners resolves who owns the resource of an event. It is safe for
// concurrent use.
type owners struct {
	cat   *Catalog
	store eventstore.Store // nil: no look-ups
	mu    sync.Mutex
	cache map[string]int64
}

func newOwners(cat *Catalog, store eventstore.Store) *owners {
	return &owners{cat: cat, store: store, cache: map[string]int64{}}
}

// direct applies the kind's rule, then data.user_id / data.owner_id.
func (o *owners) direct(rec eventstore.RecordedEvent, data map[string]any) (int64, bool) {
	if f := o.cat.kindOf(rec.Stream).Owner; f != nil {
		if id, ok := f(rec, data); ok {
			return id, true
		}
	}
	if id, ok := intField(data, "user_id"); ok {
		return id, true
	}
	return intField(data, "owner_id")
}

// learn remembers the owner an event names, so later events of the same
// stream that do not repeat it (token:revoked) are attributed too.
func (o *owners) learn(rec eventstore.RecordedEvent, data map[string]any) (int64, bool) {
	id, ok := o.direct(rec, data)
	if !ok {
		return 0, false
	}
	o.mu.Lock()
	if len(o.cache) >= maxOwnerCache {
		clear(o.cache)
	}
	o.cache[rec.Stream] = id
	o.mu.Unlock()
	return id, true
}

// resolve returns the owner of rec: what the event says, else what the
// stream said before (cached, or read from the stream's first events).
func (o *owners) resolve(ctx context.Context, rec eventstore.RecordedEvent, data map[string]any) (int64, bool) {
	if id, ok := o.learn(rec, data); ok {
		return id, true
	}
	o.mu.Lock()
	id, ok := o.cache[rec.Stream]
	o.mu.Unlock()
	if ok || o.store == nil {
		return id, ok && id > 0
	}
	id, ok = o.lookup(ctx, rec.Stream)
	o.mu.Lock()
	o.cache[rec.Stream] = id // 0 remembers "nobody", so the read is not repeated
	o.mu.Unlock()
	return id, ok
}

// lookup reads the first events of stream for one that names an owner.
func (o *owners) lookup(ctx context.Context, stream string) (int64, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	recs, err := o.store.ReadStream(ctx, stream, 0)
	if err != nil {
		return 0, false
	}
	for i, r := range recs {
		if i >= ownerLookback {
			break
		}
		if id, ok := o.direct(r, Sanitize(r.Data)); ok {
			return id, true
		}
	}
	return 0, false
}
