package projections_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/lease"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/projections"
)

// countingReactor records which positions it acted on, and by whom.
type countingReactor struct {
	seen  map[uint64][]string
	owner string
}

func (c *countingReactor) Name() string          { return "counting" }
func (c *countingReactor) Handles(t string) bool { return t == unique.TypeReserved }

// TestReactorsActOnceAcrossProcesses: two runners (standing in for two
// processes: separate store handles on one SQLite file) share a lease; the
// first is killed mid-way; the second takes over; every event is acted on
// exactly once.
func TestReactorsActOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	open := func() eventstore.Store {
		s, err := sqlite.Open(ctx, path, sqlite.WithPollInterval(20*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	reg := domain.NewRegistry()
	unique.Register(reg)
	lease.Register(reg)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	seen := map[uint64][]string{}
	var mu sync.Mutex
	newRunner := func(name string) (*projections.ReactorRunner, eventstore.Store) {
		r := &countingReactor{seen: seen, owner: name}
		cfg := projections.ReactorConfig{Group: "test", Holder: name, TTL: 600 * time.Millisecond}
		store := open()
		return projections.NewReactorRunner(commands.NewRepo(store, reg), reg, log, cfg, &lockedReactor{r, &mu}), store
	}
	a, aStore := newRunner("a")
	b, _ := newRunner("b")
	actx, killA := context.WithCancel(ctx)
	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	go a.Run(actx)
	time.Sleep(100 * time.Millisecond)
	go b.Run(bctx)

	writer := open()
	appendN := func(n int) {
		for range n {
			data, _ := json.Marshal(unique.Reserved{Kind: "x"})
			if _, err := writer.Append(ctx, "seq-x", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: unique.TypeReserved, Data: data}); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendN(30)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 30 })
	// An action and its checkpoint are two steps: a crash between them
	// repeats that action (by design, LXD actions are safe to repeat), so
	// a crashes once its checkpoint covers what it did.
	var last uint64
	mu.Lock()
	for pos := range seen {
		last = max(last, pos)
	}
	mu.Unlock()
	repo := commands.NewRepo(writer, reg)
	waitFor(t, func() bool {
		l := lease.New()
		_, err := repo.Load(ctx, lease.Stream("test"), l)
		return err == nil && l.Position() >= last
	})
	// a "crashes": its store goes away first, so it cannot release the
	// lease; b must wait for the lease to expire, then take over.
	aStore.Close()
	killA()
	appendN(30)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 60 })
	mu.Lock()
	defer mu.Unlock()
	byB := 0
	for pos, who := range seen {
		if len(who) != 1 {
			t.Fatalf("position %d acted on %d times by %v", pos, len(who), who)
		}
		if who[0] == "b" {
			byB++
		}
	}
	if byB < 30 {
		t.Fatalf("b took over only %d events", byB)
	}
}

type lockedReactor struct {
	r  *countingReactor
	mu *sync.Mutex
}

func (l *lockedReactor) Name() string          { return l.r.Name() }
func (l *lockedReactor) Handles(t string) bool { return l.r.Handles(t) }
func (l *lockedReactor) React(ctx context.Context, rec eventstore.RecordedEvent, ev domain.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.r.seen[rec.Position] = append(l.r.seen[rec.Position], l.r.owner)
	return nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
