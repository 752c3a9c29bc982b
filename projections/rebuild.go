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

// RebuildGCPercent is the GOGC a process doing nothing but a rebuild may
// use (`uivmm projections rebuild` does): a replay allocates a little per
// event for millions of events, and fewer collections make it about a
// tenth faster for a few hundred MiB more heap.
const RebuildGCPercent = 400

type decoded struct {
	rec eventstore.RecordedEvent
	ev  domain.Event // nil when no chosen projector handles the type
	ps  []Projector  // the chosen projectors that handle it, in order
}

// Rebuild drops the read models of ps, then replays the whole log into
// them in batches (one transaction per batch, checkpoints included). The
// secondary indexes are created after the replay, so a projector must not
// rely on them for correctness (only for speed) while it applies events.
// Reading and decoding run in a second goroutine, overlapping the
// transactions. progress, if not nil, is called after each batch with the
// position reached and the head it is heading for. The server must not be
// running on the same data directory.
func Rebuild(ctx context.Context, store eventstore.Store, reg *domain.Registry, db *readmodels.DB,
	ps []Projector, progress func(done, head uint64)) error {
	for _, p := range ps {
		if err := db.ResetWithoutIndexes(ctx, p.Model()); err != nil {
			return fmt.Errorf("resetting %s: %w", p.Model().Name, err)
		}
	}
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []decoded, 2)
	readErr := make(chan error, 1)
	go func() { readErr <- readBatches(ctx, store, reg, ps, batches) }()
	for batch := range batches {
		if err := applyBatch(ctx, db, ps, batch); err != nil {
			cancel()
			for range batches {
			}
			return err
		}
		if progress != nil {
			last := batch[len(batch)-1].rec.Position
			progress(last, max(head, last))
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	// Secondary indexes are built once, sorted, after the bulk load.
	for _, p := range ps {
		if err := db.CreateIndexes(ctx, p.Model()); err != nil {
			return err
		}
	}
	return nil
}

// readBatches reads the log in batches and decodes the events some
// projector handles; it closes out when done.
func readBatches(ctx context.Context, store eventstore.Store, reg *domain.Registry, ps []Projector, out chan<- []decoded) error {
	defer close(out)
	handlers := map[string][]Projector{} // by event type
	var after uint64
	for {
		recs, err := store.ReadAll(ctx, after, RebuildBatch)
		if err != nil || len(recs) == 0 {
			return err
		}
		batch := make([]decoded, len(recs))
		for i, rec := range recs {
			batch[i].rec = rec
			hs, ok := handlers[rec.Type]
			if !ok {
				for _, p := range ps {
					if p.Handles(rec.Type) {
						hs = append(hs, p)
					}
				}
				handlers[rec.Type] = hs
			}
			if len(hs) == 0 {
				continue
			}
			batch[i].ps = hs
			if batch[i].ev, err = reg.Decode(rec.Type, rec.Data); err != nil {
				return fmt.Errorf("decoding %d: %w", rec.Position, err)
			}
		}
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		after = recs[len(recs)-1].Position
	}
}

func applyBatch(ctx context.Context, db *readmodels.DB, ps []Projector, batch []decoded) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// A batch is short; a context that cannot be cancelled spares the
	// driver a watcher per statement (a large share of the replay's
	// garbage). Cancellation is checked between batches.
	ctx = context.WithoutCancel(ctx)
	return db.Bulk(ctx, func(tx readmodels.Tx) error {
		for _, d := range batch {
			for _, p := range d.ps {
				if err := p.Apply(ctx, tx, d.rec, d.ev); err != nil {
					return fmt.Errorf("%s at %d: %w", p.Model().Name, d.rec.Position, err)
				}
			}
		}
		last := batch[len(batch)-1].rec.Position
		for _, p := range ps {
			if err := readmodels.SetCheckpoint(ctx, tx, p.Model().Name, last); err != nil {
				return err
			}
		}
		return nil
	})
}

func timeFromNano(n int64) time.Time { return time.Unix(0, n).UTC() }
