package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// Projector keeps one read model. Apply must be idempotent (an event may
// be delivered again after a crash) and deterministic: it may use only the
// event, never the wall clock, so a rebuild yields identical rows.
type Projector interface {
	Model() readmodels.Model
	// Handles reports whether events of this type change the model.
	Handles(eventType string) bool
	Apply(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error
}

// funcProjector builds a Projector from a model and a map of appliers.
type funcProjector struct {
	model    readmodels.Model
	appliers map[string]func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error
}

func (p *funcProjector) Model() readmodels.Model { return p.model }
func (p *funcProjector) Handles(t string) bool   { _, ok := p.appliers[t]; return ok }
func (p *funcProjector) Apply(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
	if f, ok := p.appliers[rec.Type]; ok {
		return f(ctx, tx, rec, ev)
	}
	return nil
}

type applier = func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error

// on adapts a typed applier for events of type E.
func on[E domain.Event](f func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev E) error) applier {
	return func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
		return f(ctx, tx, rec, ev.(E))
	}
}
