package commands

import (
	"context"
	"fmt"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
)

// NextID hands out the next numeric id of kind. A retry of the same
// request (same request id and actor) gets the same id back, because the
// reservation's event id is derived from them and the store treats the
// repeat as idempotent.
func (r *Repo) NextID(ctx context.Context, kind string, meta eventstore.Metadata) (int64, error) {
	stream := unique.SequenceStream(kind)
	data, err := marshal(&unique.Reserved{Kind: kind})
	if err != nil {
		return 0, err
	}
	ev := eventstore.EventData{ID: eventID(meta, stream, eventstore.Any(), 0), Type: unique.TypeReserved, Data: data, Metadata: meta}
	res, err := r.store.Append(ctx, stream, eventstore.Any(), ev)
	if err != nil {
		return 0, fmt.Errorf("reserving %s id: %w", kind, err)
	}
	id := int64(res.NextRevision) + 1
	if id <= 0 || id > eventstore.MaxPosition {
		return 0, fmt.Errorf("reserving %s id: %d out of range", kind, id)
	}
	return id, nil
}

// Claim reserves key in namespace for owner, or fails with a 409 carrying
// detail when someone else holds it.
func (r *Repo) Claim(ctx context.Context, namespace, key string, owner int64, detail string, meta eventstore.Metadata) error {
	_, err := r.Update(ctx, unique.ClaimStream(namespace, key), meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error { return a.(*unique.Claim).Take(owner, detail) })
	return err
}

// Release frees key in namespace if owner holds it.
func (r *Repo) Release(ctx context.Context, namespace, key string, owner int64, meta eventstore.Metadata) error {
	meta.Command += ":release"
	_, err := r.Update(ctx, unique.ClaimStream(namespace, key), meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error { a.(*unique.Claim).Release(owner); return nil })
	return err
}
