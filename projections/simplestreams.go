package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// NewSimpleStreamsProjector keeps readmodels.SimpleStreams: products, live
// versions and pending files. Every product event also moves ss_state to
// its position, in the same transaction, so the rendered JSON cached from
// this model is invalidated exactly when the model changes.
func NewSimpleStreamsProjector() Projector {
	return &funcProjector{model: readmodels.SimpleStreams, appliers: map[string]applier{
		product.TypeAdded: ssApply(func(ctx context.Context, tx readmodels.Tx, e *product.Added) error {
			return readmodels.InsertSSProduct(ctx, tx, readmodels.SSProduct{ID: e.ProductID, ProductID: e.Key, OS: e.OS,
				Release: e.Release, Arch: e.Arch, Variant: e.Variant, Aliases: e.Aliases, ReleaseTitle: e.ReleaseTitle, AddedAt: e.At})
		}),
		product.TypeFileReceived: ssApply(func(ctx context.Context, tx readmodels.Tx, e *product.FileReceived) error {
			return readmodels.UpsertSSPending(ctx, tx, readmodels.SSPending{Product: e.ProductID, Serial: e.Serial,
				Kind: product.KindOf(e.File.Role), File: ssFile(e.File), ReceivedAt: e.At})
		}),
		product.TypeVersionPublished: ssApply(func(ctx context.Context, tx readmodels.Tx, e *product.VersionPublished) error {
			return readmodels.InsertSSVersion(ctx, tx, readmodels.SSVersion{Product: e.ProductID, Serial: e.Serial,
				VersionID: e.VersionID, Metadata: ssFile(e.Metadata), Rootfs: ssFile(e.Rootfs), Fingerprint: e.Fingerprint,
				Architecture: e.Architecture, PublishedAt: e.PublishedAt})
		}),
		product.TypeVersionDiscarded: ssApply(func(ctx context.Context, tx readmodels.Tx, e *product.VersionDiscarded) error {
			for _, f := range e.Files {
				if err := readmodels.DeleteSSPending(ctx, tx, e.ProductID, e.Serial, product.KindOf(f.Role), f.SHA256); err != nil {
					return err
				}
			}
			return nil
		}),
		product.TypeVersionPruned: ssApply(func(ctx context.Context, tx readmodels.Tx, e *product.VersionPruned) error {
			return readmodels.DeleteSSVersion(ctx, tx, e.ProductID, e.Serial)
		}),
	}}
}

// ssApply adapts an applier of product events and moves ss_state.
func ssApply[E domain.Event](f func(ctx context.Context, tx readmodels.Tx, ev E) error) applier {
	return func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
		if err := f(ctx, tx, ev.(E)); err != nil {
			return err
		}
		return readmodels.SetSSState(ctx, tx, rec.Position)
	}
}

func ssFile(f product.File) readmodels.SSFile {
	return readmodels.SSFile{SHA256: f.SHA256, Size: f.Size, Role: f.Role}
}
