package eventstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

func openSQLite(t *testing.T, path string) eventstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t *testing.T, s eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	var after uint64
	for {
		recs, err := s.ReadAll(context.Background(), after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
		after = recs[len(recs)-1].Position
	}
}

type copied struct {
	Stream   string
	Revision uint64
	ID, Type string
	Data     string
	Meta     eventstore.Metadata
}

func comparable(recs []eventstore.RecordedEvent) []copied {
	out := make([]copied, len(recs))
	for i, r := range recs {
		out[i] = copied{r.Stream, r.Revision, r.ID, r.Type, string(r.Data), r.Metadata}
	}
	return out
}

// TestCopySQLiteToSQLite copies a log with interleaved streams, keeps
// order, ids, types, data and metadata; a second run changes nothing; an
// interrupted copy resumes.
func TestCopySQLiteToSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := openSQLite(t, filepath.Join(dir, "src.db"))
	for i := range 700 {
		stream := fmt.Sprintf("s-%d", i%7)
		data, _ := json.Marshal(map[string]any{"i": i, "nested": map[string]any{"ok": true}})
		meta := eventstore.Metadata{ActorID: int64(i % 3), ActorKind: "user", RequestID: fmt.Sprintf("r%d", i), CorrelationID: "c", CausationID: "x", ClientAddr: "127.0.0.1", Command: "test"}
		n := 1 + i%3
		evs := make([]eventstore.EventData, n)
		for k := range evs {
			evs[k] = eventstore.EventData{ID: uuid.NewString(), Type: "test:happened", Data: data, Metadata: meta}
		}
		if _, err := src.Append(ctx, stream, eventstore.Any(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	want := comparable(readAll(t, src))

	t.Run("full copy then again", func(t *testing.T) {
		dst := openSQLite(t, filepath.Join(dir, "dst1.db"))
		last, err := eventstore.Copy(ctx, src, dst, 0, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := comparable(readAll(t, dst)); !reflect.DeepEqual(got, want) {
			t.Fatalf("copy differs: %d vs %d events", len(got), len(want))
		}
		if _, err := eventstore.Copy(ctx, src, dst, 0, nil, nil); err != nil {
			t.Fatalf("second copy: %v", err)
		}
		if got := readAll(t, dst); len(got) != len(want) {
			t.Fatalf("second copy wrote %d more events", len(got)-len(want))
		}
		if last == 0 {
			t.Fatal("no checkpoint")
		}
	})

	t.Run("interrupted copy resumes", func(t *testing.T) {
		dst := openSQLite(t, filepath.Join(dir, "dst2.db"))
		cctx, cancel := context.WithCancel(ctx)
		var saved uint64
		_, err := eventstore.Copy(cctx, src, dst, 0, func(pos uint64) error {
			saved = pos
			if pos > 500 {
				cancel()
			}
			return nil
		}, nil)
		if err == nil {
			t.Fatal("expected the interruption to surface")
		}
		// Resume from an older checkpoint than reached: overlap is harmless.
		if _, err := eventstore.Copy(ctx, src, dst, saved/2, nil, nil); err != nil {
			t.Fatal(err)
		}
		if got := comparable(readAll(t, dst)); !reflect.DeepEqual(got, want) {
			t.Fatalf("resumed copy differs: %d vs %d events", len(got), len(want))
		}
	})

	t.Run("diverged destination is refused", func(t *testing.T) {
		dst := openSQLite(t, filepath.Join(dir, "dst3.db"))
		if _, err := dst.Append(ctx, "s-0", eventstore.NoStream(), eventstore.EventData{ID: uuid.NewString(), Type: "other", Data: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := eventstore.Copy(ctx, src, dst, 0, nil, nil); err == nil {
			t.Fatal("copy into a diverged store succeeded")
		}
	})
}
