package eventstore

import (
	"context"
	"errors"
	"fmt"
)

// CopyBatch is how many events Copy reads from the source at a time.
const CopyBatch = 1000

// Copy appends every event of from with position > after to to, in log
// order, keeping each event's stream, revision, id, type, data and
// metadata. Consecutive events of one stream go in one append. Each
// append's expected revision is the event's source revision, and ids are
// kept, so copying again (or resuming after an interruption from an older
// checkpoint) is idempotent: events already there are acknowledged and
// not written twice. The copy's recorded times are the times of the copy.
//
// checkpoint, if not nil, is called after each batch with the last source
// position copied; progress gets that position and the source head. Copy
// returns the last source position copied.
func Copy(ctx context.Context, from, to Store, after uint64, checkpoint func(pos uint64) error, progress func(pos, head uint64)) (uint64, error) {
	head, err := from.Head(ctx)
	if err != nil {
		return after, fmt.Errorf("reading source head: %w", err)
	}
	for {
		recs, err := from.ReadAll(ctx, after, CopyBatch)
		if err != nil {
			return after, fmt.Errorf("reading source after %d: %w", after, err)
		}
		if len(recs) == 0 {
			return after, nil
		}
		if err := copyRuns(ctx, to, recs); err != nil {
			return after, err
		}
		after = recs[len(recs)-1].Position
		if checkpoint != nil {
			if err := checkpoint(after); err != nil {
				return after, fmt.Errorf("saving copy checkpoint: %w", err)
			}
		}
		if progress != nil {
			progress(after, max(head, after))
		}
	}
}

// copyRuns appends recs, one append per run of consecutive events of the
// same stream.
func copyRuns(ctx context.Context, to Store, recs []RecordedEvent) error {
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].Stream == recs[i].Stream && recs[j].Revision == recs[j-1].Revision+1 {
			j++
		}
		err := appendRun(ctx, to, recs[i:j])
		if errors.Is(err, ErrWrongExpectedVersion) || errors.Is(err, errPartial) {
			// A resumed copy may find the run partly copied already: copy
			// it one event at a time, each idempotent on its own.
			err = nil
			for k := i; k < j && err == nil; k++ {
				err = appendRun(ctx, to, recs[k:k+1])
			}
		}
		if err != nil {
			if errors.Is(err, ErrWrongExpectedVersion) {
				return fmt.Errorf("copying %s@%d: the destination's stream differs from the source: %w", recs[i].Stream, recs[i].Revision, err)
			}
			return fmt.Errorf("copying %s@%d: %w", recs[i].Stream, recs[i].Revision, err)
		}
		i = j
	}
	return nil
}

var errPartial = errors.New("run partly present")

func appendRun(ctx context.Context, to Store, run []RecordedEvent) error {
	expected := NoStream()
	if run[0].Revision > 0 {
		expected = Exact(run[0].Revision - 1)
	}
	evs := make([]EventData, len(run))
	for k, r := range run {
		evs[k] = EventData{ID: r.ID, Type: r.Type, Data: r.Data, Metadata: r.Metadata}
	}
	_, err := to.Append(ctx, run[0].Stream, expected, evs...)
	if err != nil && len(run) > 1 && !errors.Is(err, ErrWrongExpectedVersion) && !errors.Is(err, ErrUnavailable) && ctx.Err() == nil {
		return fmt.Errorf("%w: %v", errPartial, err)
	}
	return err
}
