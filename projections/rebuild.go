package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// RebuildBatch is how many events one rebuild transaction applies.
const RebuildBatch = 4096

// Rebuild drops the read models of ps, then replays the whole log into
// them in batches (one transaction per batch, checkpoints included).
// progress, if not nil, is called after each batch with the position
// reached and the head it is heading for. The server must not be running
// on the same data directory.
func Rebuild(ctx context.Context, store eventstore.Store, reg *domain.Registry, db *readmodels.DB,
	ps []Projector, progress func(done, head uint64)) error {
	for _, p := range ps {
		if err := db.Reset(ctx, p.Model()); err != nil {
			return fmt.Errorf("resetting %s: %w", p.Model().Name, err)
		}
	}
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	var after uint64
	for {
		recs, err := store.ReadAll(ctx, after, RebuildBatch)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		if err := applyBatch(ctx, reg, db, ps, recs); err != nil {
			return err
		}
		after = recs[len(recs)-1].Position
		if progress != nil {
			progress(after, max(head, after))
		}
	}
}

func applyBatch(ctx context.Context, reg *domain.Registry, db *readmodels.DB, ps []Projector, recs []eventstore.RecordedEvent) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, rec := range recs {
		var ev domain.Event
		for _, p := range ps {
			if !p.Handles(rec.Type) {
				continue
			}
			if ev == nil {
				if ev, err = reg.Decode(rec.Type, rec.Data); err != nil {
					return fmt.Errorf("decoding %d: %w", rec.Position, err)
				}
			}
			if err := p.Apply(ctx, tx, rec, ev); err != nil {
				return fmt.Errorf("%s at %d: %w", p.Model().Name, rec.Position, err)
			}
		}
	}
	last := recs[len(recs)-1].Position
	for _, p := range ps {
		if err := readmodels.SetCheckpoint(ctx, tx, p.Model().Name, last); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func timeFromNano(n int64) time.Time { return time.Unix(0, n).UTC() }
