package esdb

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/storetest"
)

// TestContractOnEmulator runs the contract suite against the adapter over
// fakeDB, an in-memory emulation of the server: it checks the adapter's
// own logic (ID index, filtering, positions, retries, subscriptions) in
// every `make test`. Only esdb_contract_test.go (-tags esdb) checks it
// against a real EventStoreDB.
func TestContractOnEmulator(t *testing.T) {
	db := newFakeDB()
	storetest.Run(t, func(t *testing.T) eventstore.Store { return emulated(t, db) })
}

func emulated(t *testing.T, db *fakeDB) *Store {
	s := newStoreOn(db.conn(), WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestSubscribeResubscribes drops the subscription every few events and
// fails the first resubscriptions: every event still arrives once, in
// order.
func TestSubscribeResubscribes(t *testing.T) {
	db := newFakeDB()
	s := emulated(t, db)
	ctx := t.Context()
	var want []string
	for i := range 20 {
		ev := eventstore.EventData{ID: uuid.NewString(), Type: "t", Data: []byte(`{}`)}
		if _, err := s.Append(ctx, "s-"+string(rune('a'+i%3)), eventstore.Any(), ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, ev.ID)
	}
	db.mu.Lock()
	db.dropEvery, db.failSubs = 4, 2
	db.mu.Unlock()

	var got []string
	var last uint64
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := s.Subscribe(subCtx, 0, func(_ context.Context, ev eventstore.RecordedEvent) error {
		if ev.Position <= last {
			t.Errorf("position %d after %d", ev.Position, last)
		}
		last = ev.Position
		got = append(got, ev.ID)
		if len(got) == len(want) {
			cancel()
		}
		return nil
	})
	if err != context.Canceled {
		t.Fatalf("Subscribe = %v, want context.Canceled", err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: got %s, want %s", i, got[i], want[i])
		}
	}
}
