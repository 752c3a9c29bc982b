package projections_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

// fakeHost is an LXD host whose instance list the test sets and whose
// event connection it feeds and drops.
type fakeHost struct {
	lxd.Host // not used: panics
	mu       sync.Mutex
	list     []lxd.Instance
	conns    int  // connections opened so far
	open     bool // a connection is open now
	events   chan lxd.Event
	drop     chan struct{}
}

func newFakeHost(list ...lxd.Instance) *fakeHost {
	return &fakeHost{list: list, events: make(chan lxd.Event), drop: make(chan struct{}, 1)}
}

func (f *fakeHost) set(list ...lxd.Instance) { f.mu.Lock(); f.list = list; f.mu.Unlock() }

func (f *fakeHost) state() (conns int, open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns, f.open
}

func (f *fakeHost) Instances(context.Context) ([]lxd.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]lxd.Instance(nil), f.list...), nil
}

func (f *fakeHost) Instance(_ context.Context, name string) (lxd.Instance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, in := range f.list {
		if in.Name == name {
			return in, nil
		}
	}
	return lxd.Instance{}, lxd.ErrNotFound
}

func (f *fakeHost) Events(ctx context.Context, _ []string, handler func(lxd.Event)) error {
	f.mu.Lock()
	f.conns++
	f.open = true
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.open = false; f.mu.Unlock() }()
	handler(lxd.Event{Type: lxd.EventConnected})
	for {
		select {
		case ev := <-f.events:
			handler(ev)
		case <-f.drop:
			return lxd.ErrUnreachable
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type fakeHosts struct{ h *fakeHost }

func (f fakeHosts) Get(context.Context, int64) (lxd.Host, error) { return f.h, nil }

func running(name, status string) lxd.Instance {
	return lxd.Instance{Name: name, Type: "container", Architecture: "x86_64", Status: status}
}

// TestWatcherReconnectsAndReconciles: the listener reconciles on its
// first connection, records lifecycle events, reconnects after a drop
// and reconciles again (an instance vanished and another appeared
// meanwhile), and lets the host go once its server is removed.
func TestWatcherReconnectsAndReconciles(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.WithPollInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := readmodels.Open(ctx, filepath.Join(dir, "rm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := domain.NewRegistry()
	for _, r := range []func(*domain.Registry){unique.Register, instance.Register, server.Register} {
		r(reg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := projections.NewRunner(store, reg, db, log, projections.NewServersProjector(), projections.NewInstancesProjector())
	if err := db.Ensure(ctx, readmodels.Servers, readmodels.Instances); err != nil {
		t.Fatal(err)
	}
	go runner.Run(ctx)
	repo := commands.NewRepo(store, reg)
	addServer(t, repo)

	host := newFakeHost(running("a", "running"))
	w := projections.NewInstanceWatcher(projections.InstanceWatcherConfig{Repo: repo, Hosts: fakeHosts{host}, RM: db, Log: log,
		Poll: 20 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- w.RunHeld(ctx) }()

	rows := func() map[string]readmodels.Instance {
		list, err := db.InstancesOnServer(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]readmodels.Instance{}
		for _, r := range list {
			out[r.Name] = r
		}
		return out
	}
	eventually(t, "a appeared", func() bool { return rows()["a"].Status == "running" })

	host.events <- lxd.Event{Type: lxd.EventLifecycle, Action: "instance-stopped", Instance: "a"}
	eventually(t, "a stopped", func() bool { return rows()["a"].Status == "stopped" })

	host.set(running("b", "frozen"))
	host.drop <- struct{}{}
	eventually(t, "a vanished and b appeared after the reconnect", func() bool {
		r := rows()
		_, hasA := r["a"]
		conns, _ := host.state()
		return !hasA && r["b"].Status == "frozen" && conns == 2
	})

	var types []string
	for _, ev := range readAll(t, store) {
		if ev.Metadata.ActorKind == eventstore.ActorExternal && strings.HasPrefix(ev.Stream, "instance-") {
			if ev.Metadata.ActorName != "lxd:127.0.0.1:8443" {
				t.Errorf("actor %q", ev.Metadata.ActorName)
			}
			types = append(types, ev.Type+"/"+dataField(ev, "source"))
		}
	}
	want := []string{"instance:appeared_externally/reconcile", "instance:status_observed/lxd-event",
		"instance:appeared_externally/reconcile", "instance:vanished_externally/reconcile"}
	if len(types) != len(want) {
		t.Fatalf("recorded %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("recorded %v, want %v", types, want)
		}
	}

	removeServer(t, repo)
	eventually(t, "the connection closed", func() bool { _, open := host.state(); return !open })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("RunHeld = %v", err)
	}
}

func addServer(t *testing.T, repo *commands.Repo) {
	t.Helper()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: "add", Command: "server.add"}
	_, err := repo.Update(context.Background(), server.Stream(3), meta, func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error {
			domain.Record(a, &server.Added{ServerID: 3, UserID: 7, Host: "127.0.0.1", Port: 8443, Protocol: "lxd",
				Provider: "lxd", CertFingerprint: "ab"})
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

func removeServer(t *testing.T, repo *commands.Repo) {
	t.Helper()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: "rm", Command: "server.remove"}
	_, err := repo.Update(context.Background(), server.Stream(3), meta, func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error {
			domain.Record(a, &server.Removed{ServerID: 3, UserID: 7, Host: "127.0.0.1", Port: 8443})
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readAll(t *testing.T, store eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	recs, err := store.ReadAll(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func dataField(ev eventstore.RecordedEvent, k string) string {
	var m map[string]any
	_ = json.Unmarshal(ev.Data, &m)
	s, _ := m[k].(string)
	return s
}
