package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		path string
		opts []sqlite.Option
	}{
		{"empty path", "", nil},
		{"memory", ":memory:", nil},
		{"uri", "file:" + filepath.Join(dir, "x.db"), nil},
		{"query in path", filepath.Join(dir, "x.db?mode=ro"), nil},
		{"missing directory", filepath.Join(dir, "no", "such", "x.db"), nil},
		{"bad options", filepath.Join(dir, "y.db"), []sqlite.Option{
			sqlite.WithPollInterval(0), sqlite.WithMaxBatch(0), sqlite.WithReadConns(0), sqlite.WithBusyTimeout(0),
		}},
		{"negative commit delay", filepath.Join(dir, "z.db"), []sqlite.Option{sqlite.WithCommitDelay(-time.Millisecond)}},
		{"commit delay over a minute", filepath.Join(dir, "w.db"), []sqlite.Option{sqlite.WithCommitDelay(2 * time.Minute)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := sqlite.Open(t.Context(), tc.path, tc.opts...); err == nil {
				_ = s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tc.path)
			}
		})
	}
}

func TestAppendValidates(t *testing.T) {
	s := openTemp(t)
	ev := benchEvent
	withID := func(id string) eventstore.EventData { e := ev(); e.ID = id; return e }
	withType := func(typ string) eventstore.EventData { e := ev(); e.Type = typ; return e }
	withData := func(d string) eventstore.EventData { e := ev(); e.Data = json.RawMessage(d); return e }
	dup := ev()
	cases := []struct {
		name   string
		stream string
		events []eventstore.EventData
	}{
		{"empty stream", "", []eventstore.EventData{ev()}},
		{"empty id", "s", []eventstore.EventData{withID("")}},
		{"empty type", "s", []eventstore.EventData{withType("")}},
		{"invalid json", "s", []eventstore.EventData{withData(`{"a":`)}},
		{"id twice in one append", "s", []eventstore.EventData{dup, dup}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Append(t.Context(), tc.stream, eventstore.Any(), tc.events...); err == nil {
				t.Fatal("Append succeeded, want an error")
			}
		})
	}
	if n, _ := s.Head(t.Context()); n != 0 {
		t.Fatalf("invalid appends wrote up to position %d", n)
	}
	if _, err := s.ReadAll(t.Context(), 0, 0); err == nil {
		t.Fatal("ReadAll with limit 0 succeeded, want an error")
	}
}

func TestNilDataIsStoredAsNull(t *testing.T) {
	s := openTemp(t)
	e := benchEvent()
	e.Data = nil
	if _, err := s.Append(t.Context(), "nil-data", eventstore.NoStream(), e); err != nil {
		t.Fatal(err)
	}
	evs, err := s.ReadStream(t.Context(), "nil-data", 0)
	if err != nil || len(evs) != 1 || string(evs[0].Data) != "null" {
		t.Fatalf("ReadStream = %v, %v; want one event with data null", evs, err)
	}
}

// TestBatchIsolatesFailures sends good appends together with appends whose
// second event reuses a stored ID: the bad ones fail and leave nothing
// behind, the good ones are all written.
func TestBatchIsolatesFailures(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	stored := benchEvent()
	if _, err := s.Append(ctx, "taken", eventstore.NoStream(), stored); err != nil {
		t.Fatal(err)
	}
	const n = 64
	errs := make([]error, n)
	firsts := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			first := benchEvent()
			firsts[i] = first.ID
			evs := []eventstore.EventData{first, benchEvent()}
			if i%2 == 1 {
				evs[1] = stored
			}
			_, errs[i] = s.Append(ctx, fmt.Sprintf("batch-%d", i), eventstore.NoStream(), evs...)
		})
	}
	wg.Wait()
	for i := range n {
		evs, err := s.ReadStream(ctx, fmt.Sprintf("batch-%d", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		bad := i%2 == 1
		if bad != (errs[i] != nil) || bad != (len(evs) == 0) {
			t.Fatalf("append %d (bad %v): err %v, %d events stored", i, bad, errs[i], len(evs))
		}
		if !bad && evs[0].ID != firsts[i] {
			t.Fatalf("append %d stored %s first, want %s", i, evs[0].ID, firsts[i])
		}
	}
}

// TestReopenKeepsLog closes a store and reopens the file: the events are
// there and positions continue after them.
func TestReopenKeepsLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Append(t.Context(), "kept", eventstore.NoStream(), benchEvent(), benchEvent())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, path)
	if s.Path() != path {
		t.Fatalf("Path() = %q, want %q", s.Path(), path)
	}
	next, err := s.Append(t.Context(), "kept", eventstore.Exact(1), benchEvent())
	if err != nil || next.Position <= first.Position || next.NextRevision != 2 {
		t.Fatalf("append after reopen = %+v, %v; want revision 2 after position %d", next, err, first.Position)
	}
}

// TestRefusesNewerSchema opens a file whose schema version is from the
// future.
func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	execSQL(t, path, "PRAGMA user_version = 99")
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		_ = s.Close()
		t.Fatal("Open of a newer schema succeeded, want an error")
	}
}

// execSQL runs statements on the file at path through a connection of its
// own.
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestPositionLimit moves the position sequence to just below MaxPosition:
// the last position is handed out, the next append fails and writes
// nothing, and it does not harm the appends committed with it.
func TestPositionLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), "limit", eventstore.NoStream(), benchEvent()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	execSQL(t, path, fmt.Sprintf("UPDATE sqlite_sequence SET seq = %d WHERE name = 'events'", eventstore.MaxPosition-2))
	s = reopen(t, path)
	res, err := s.Append(t.Context(), "limit", eventstore.Exact(0), benchEvent())
	if err != nil || res.Position != eventstore.MaxPosition-1 {
		t.Fatalf("append = %+v, %v; want position MaxPosition-1", res, err)
	}
	if _, err := s.Append(t.Context(), "limit", eventstore.Exact(1), benchEvent(), benchEvent()); err == nil {
		t.Fatal("append beyond MaxPosition succeeded")
	}
	res, err = s.Append(t.Context(), "limit", eventstore.Exact(1), benchEvent())
	if err != nil || res.Position != eventstore.MaxPosition {
		t.Fatalf("append = %+v, %v; want position MaxPosition", res, err)
	}
	if head, _ := s.Head(t.Context()); head != eventstore.MaxPosition {
		t.Fatalf("Head = %d, want MaxPosition", head)
	}
}

// TestStoresShareFile opens two stores on one file, as two processes
// would: a subscription on one sees the other's appends through the
// poller, and guards hold across them.
func TestStoresShareFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := reopen(t, path), reopen(t, path, sqlite.WithPollInterval(20*time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got := make(chan eventstore.RecordedEvent, 10)
	go func() {
		_ = b.Subscribe(ctx, 0, func(_ context.Context, ev eventstore.RecordedEvent) error { got <- ev; return nil })
	}()
	want := benchEvent()
	if _, err := a.Append(ctx, "shared", eventstore.NoStream(), want); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		if ev.ID != want.ID {
			t.Fatalf("subscription on b got %s, want %s", ev.ID, want.ID)
		}
	case <-ctx.Done():
		t.Fatal("subscription on b never saw a's append")
	}
	_, err := b.Append(ctx, "shared", eventstore.NoStream(), benchEvent())
	if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		t.Fatalf("b appending NoStream to a's stream: %v, want ErrWrongExpectedVersion", err)
	}
	if _, err := b.Append(ctx, "shared", eventstore.NoStream(), want); err != nil {
		t.Fatalf("b retrying a's append: %v, want an idempotent success", err)
	}
}

// TestCloseDrainsAppends closes the store under load and reopens the file:
// every append that succeeded is stored.
func TestCloseDrainsAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 32
	acked := make([][]string, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for {
				ev := benchEvent()
				if _, err := s.Append(t.Context(), fmt.Sprintf("drain-%d", w), eventstore.Any(), ev); err != nil {
					if !errors.Is(err, eventstore.ErrClosed) {
						t.Errorf("writer %d: %v", w, err)
					}
					return
				}
				acked[w] = append(acked[w], ev.ID)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s = reopen(t, path)
	for w, ids := range acked {
		evs, err := s.ReadStream(t.Context(), fmt.Sprintf("drain-%d", w), 0)
		if err != nil || len(evs) != len(ids) {
			t.Fatalf("writer %d: %d events stored, %d acknowledged, %v", w, len(evs), len(ids), err)
		}
		for i, ev := range evs {
			if ev.ID != ids[i] {
				t.Fatalf("writer %d event %d: stored %s, acknowledged %s", w, i, ev.ID, ids[i])
			}
		}
	}
}
