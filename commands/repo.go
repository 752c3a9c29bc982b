package commands

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// MaxConflictRetries bounds how often a handler reloads and decides again
// after losing an optimistic-concurrency race before answering 409.
const MaxConflictRetries = 8

// DetailConcurrent is the 409 detail after too many lost races.
const DetailConcurrent = "the resource was changed concurrently, try again"

var eventIDSpace = uuid.MustParse("6f1c1d0e-5b7a-4f57-9a53-0c4f3d6e8b21")

// Repo loads aggregates from their streams and appends their changes.
// It is safe for concurrent use.
type Repo struct {
	store eventstore.Store
	reg   *domain.Registry
}

// NewRepo returns a Repo. It panics on nil dependencies (a wiring bug).
func NewRepo(store eventstore.Store, reg *domain.Registry) *Repo {
	if store == nil || reg == nil {
		panic("commands: NewRepo needs a store and a registry")
	}
	return &Repo{store: store, reg: reg}
}

// Store returns the underlying event store.
func (r *Repo) Store() eventstore.Store { return r.store }

// Load folds stream's events into agg and returns the records, so callers
// can look for an earlier outcome of the same request.
func (r *Repo) Load(ctx context.Context, stream string, agg domain.Aggregate) ([]eventstore.RecordedEvent, error) {
	recs, err := r.store.ReadStream(ctx, stream, 0)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stream, err)
	}
	for _, rec := range recs {
		ev, err := r.reg.Decode(rec.Type, rec.Data)
		if err != nil {
			return nil, fmt.Errorf("loading %s@%d: %w", stream, rec.Revision, err)
		}
		agg.When(ev)
		agg.Root().Loaded(rec.Revision)
	}
	return recs, nil
}

// Save appends agg's recorded changes to stream, guarded by the revision
// agg was loaded at. Event ids are derived from the request id, actor,
// stream and place, so a retried append of the same request is idempotent
// in the store. Nothing recorded means nothing appended (zero result).
func (r *Repo) Save(ctx context.Context, stream string, agg domain.Aggregate, meta eventstore.Metadata) (eventstore.AppendResult, error) {
	changes := agg.Root().Changes()
	if len(changes) == 0 {
		return eventstore.AppendResult{}, nil
	}
	rev, exists := agg.Root().Revision()
	expected := eventstore.NoStream()
	if exists {
		expected = eventstore.Exact(rev)
	}
	evs := make([]eventstore.EventData, len(changes))
	for i, c := range changes {
		data, err := marshal(c)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("encoding %s: %w", c.EventType(), err)
		}
		evs[i] = eventstore.EventData{ID: eventID(meta, stream, expected, i), Type: c.EventType(), Data: data, Metadata: meta}
	}
	return r.store.Append(ctx, stream, expected, evs...)
}

func eventID(meta eventstore.Metadata, stream string, expected eventstore.ExpectedRevision, i int) string {
	if meta.RequestID == "" {
		return uuid.NewString()
	}
	seed := fmt.Sprintf("%s|%d|%s|%s|%s|%d", meta.RequestID, meta.ActorID, meta.Command, stream, expected, i)
	return uuid.NewSHA1(eventIDSpace, []byte(seed)).String()
}

// Update runs load → decide → save on stream with a fresh aggregate from
// newAgg, retrying on a lost race. If the stream already holds an event of
// this very request (same request id, command and actor), the request was
// done before: Update returns that event's position and decides nothing.
func (r *Repo) Update(ctx context.Context, stream string, meta eventstore.Metadata,
	newAgg func() domain.Aggregate, decide func(domain.Aggregate) error) (eventstore.AppendResult, error) {
	for attempt := 0; ; attempt++ {
		agg := newAgg()
		recs, err := r.Load(ctx, stream, agg)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if done, ok := earlierOutcome(recs, meta); ok {
			return done, nil
		}
		if err := decide(agg); err != nil {
			return eventstore.AppendResult{}, err
		}
		res, err := r.Save(ctx, stream, agg, meta)
		if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			return res, err
		}
		if attempt >= MaxConflictRetries {
			return eventstore.AppendResult{}, &domain.Error{Kind: domain.KindConflict, Detail: DetailConcurrent, Err: err}
		}
		backoff(ctx, attempt)
	}
}

// earlierOutcome finds an event recorded by the same request, command and
// actor. Only client-chosen request ids make this meaningful; generated
// ones never repeat.
func earlierOutcome(recs []eventstore.RecordedEvent, meta eventstore.Metadata) (eventstore.AppendResult, bool) {
	if meta.RequestID == "" || meta.Command == "" {
		return eventstore.AppendResult{}, false
	}
	for i := len(recs) - 1; i >= 0; i-- {
		m := recs[i].Metadata
		if m.RequestID == meta.RequestID && m.Command == meta.Command && m.ActorID == meta.ActorID && m.ActorKind == meta.ActorKind {
			return eventstore.AppendResult{NextRevision: recs[i].Revision, Position: recs[i].Position}, true
		}
	}
	return eventstore.AppendResult{}, false
}

func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1+rand.IntN(1<<min(attempt, 5))) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
