package projections

import (
	"context"
	"sync"

	"github.com/uivmm/uivmm/eventstore"
)

// Outcomes lets an API call wait for the event that ends its request (a
// reactor's "succeeded" or "failed"), matched by request id. Register it
// as a Runner listener. Safe for concurrent use.
type Outcomes struct {
	mu      sync.Mutex
	waiters map[string][]*Expectation
}

// NewOutcomes returns an empty registry.
func NewOutcomes() *Outcomes { return &Outcomes{waiters: map[string][]*Expectation{}} }

// Expectation is one registered wait.
type Expectation struct {
	o         *Outcomes
	requestID string
	match     func(eventstore.RecordedEvent) bool
	ch        chan eventstore.RecordedEvent
}

// Expect registers interest in the first event of requestID that match
// accepts. Call it before sending the command, then Wait.
func (o *Outcomes) Expect(requestID string, match func(eventstore.RecordedEvent) bool) *Expectation {
	e := &Expectation{o: o, requestID: requestID, match: match, ch: make(chan eventstore.RecordedEvent, 1)}
	o.mu.Lock()
	o.waiters[requestID] = append(o.waiters[requestID], e)
	o.mu.Unlock()
	return e
}

// Wait blocks until the outcome arrives or ctx ends, and unregisters.
func (e *Expectation) Wait(ctx context.Context) (eventstore.RecordedEvent, error) {
	defer e.cancel()
	select {
	case rec := <-e.ch:
		return rec, nil
	case <-ctx.Done():
		return eventstore.RecordedEvent{}, ctx.Err()
	}
}

func (e *Expectation) cancel() {
	e.o.mu.Lock()
	defer e.o.mu.Unlock()
	list := e.o.waiters[e.requestID]
	for i, w := range list {
		if w == e {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(e.o.waiters, e.requestID)
	} else {
		e.o.waiters[e.requestID] = list
	}
}

// Listen is the Runner listener.
func (o *Outcomes) Listen(ctx context.Context, rec eventstore.RecordedEvent) {
	if rec.Metadata.RequestID == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range o.waiters[rec.Metadata.RequestID] {
		if e.match(rec) {
			select {
			case e.ch <- rec:
			default:
			}
		}
	}
}
