package projections_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
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

// creatingHost is a fake LXD host that counts creates; conflict makes
// the create answer "already exists".
type creatingHost struct {
	*fakeHost
	creates, starts int
	conflict        bool
}

func (c *creatingHost) CreateInstance(_ context.Context, spec lxd.InstanceSpec) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creates++
	if c.conflict {
		return &lxd.Error{Op: "creating", Status: 409, Message: "Instance \"" + spec.Name + "\" already exists"}
	}
	c.list = append(c.list, lxd.Instance{Name: spec.Name, Type: "container", Status: "stopped", User: spec.Config})
	return nil
}

func (c *creatingHost) InstanceAction(_ context.Context, name string, a lxd.Action) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starts++
	for i := range c.list {
		if c.list[i].Name == name {
			c.list[i].Status = "running"
		}
	}
	return nil
}

type creatingHosts struct{ h *creatingHost }

func (c creatingHosts) Get(context.Context, int64) (lxd.Host, error) { return c.h, nil }

type noKeys struct{}

func (noKeys) SSHKeysOfUser(context.Context, int64) ([]string, error) { return nil, nil }

type reactorEnv struct {
	store eventstore.Store
	repo  *commands.Repo
	db    *readmodels.DB
	log   *slog.Logger
}

func newReactorEnv(t *testing.T, ctx context.Context) reactorEnv {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.WithPollInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	db, err := readmodels.Open(ctx, filepath.Join(dir, "rm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ensure(ctx, readmodels.Servers, readmodels.Instances); err != nil {
		t.Fatal(err)
	}
	reg := domain.NewRegistry()
	for _, r := range []func(*domain.Registry){unique.Register, instance.Register, server.Register} {
		r(reg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go projections.NewRunner(store, reg, db, log, projections.NewInstancesProjector()).Run(ctx)
	return reactorEnv{store: store, repo: commands.NewRepo(store, reg), db: db, log: log}
}

// request records instance.Requested for "web" as the command would.
func (e reactorEnv) request(t *testing.T) eventstore.RecordedEvent {
	t.Helper()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: 7, RequestID: "r1", Command: commands.CommandInstanceRequested}
	_, _, err := e.repo.RecordInstance(context.Background(), 5, meta, func(in *instance.Instance) error {
		return in.Request(5, 3, 7, instance.Spec{Name: "web", Image: "busybox", Profiles: []string{"default"}}, "r1", time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.store.ReadStream(context.Background(), instance.Stream(5), 0)
	if err != nil || len(recs) != 1 {
		t.Fatalf("stream: %v %v", recs, err)
	}
	return recs[0]
}

func (e reactorEnv) types(t *testing.T) []string {
	t.Helper()
	recs, err := e.store.ReadStream(context.Background(), instance.Stream(5), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Type)
	}
	return out
}

func decode(t *testing.T, rec eventstore.RecordedEvent) domain.Event {
	reg := domain.NewRegistry()
	instance.Register(reg)
	ev, err := reg.Decode(rec.Type, rec.Data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestReactorIsIdempotent: a redelivered request is not done twice, and
// a create that finds the instance already there counts as done.
func TestReactorIsIdempotent(t *testing.T) {
	for _, conflict := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		e := newReactorEnv(t, ctx)
		host := &creatingHost{fakeHost: newFakeHost(), conflict: conflict}
		if conflict { // made by an earlier delivery of this request
			host.list = []lxd.Instance{{Name: "web", Type: "container", Status: "stopped",
				User: map[string]string{projections.MarkKey: "5"}}}
		}
		r := projections.NewInstanceReactor(projections.InstanceReactorConfig{Repo: e.repo, Hosts: creatingHosts{host},
			Keys: noKeys{}, Work: e.db, Log: e.log, Sweep: time.Hour})
		go r.RunHeld(ctx)
		rec := e.request(t)
		for range 3 { // delivered, then redelivered while queued
			if err := r.React(ctx, rec, decode(t, rec)); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, "the request's outcome", func() bool { return len(e.types(t)) == 3 })
		if err := r.React(ctx, rec, decode(t, rec)); err != nil { // redelivered after its outcome
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		got := e.types(t)
		if len(got) != 3 || got[1] != instance.TypeCreated || got[2] != instance.TypeStarted {
			t.Fatalf("conflict=%v: history %v", conflict, got)
		}
		host.mu.Lock()
		if host.creates != 1 || host.starts != 1 {
			t.Errorf("conflict=%v: %d creates and %d starts, want 1 each", conflict, host.creates, host.starts)
		}
		host.mu.Unlock()
		cancel()
	}
}

// TestReactorFindsWorkLeftBehind: a request whose event was passed by a
// lease holder that died before acting is found by the sweep.
func TestReactorFindsWorkLeftBehind(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newReactorEnv(t, ctx)
	e.request(t) // never given to React
	host := &creatingHost{fakeHost: newFakeHost()}
	r := projections.NewInstanceReactor(projections.InstanceReactorConfig{Repo: e.repo, Hosts: creatingHosts{host},
		Keys: noKeys{}, Work: e.db, Log: e.log, Sweep: 20 * time.Millisecond})
	go r.RunHeld(ctx)
	eventually(t, "the left-behind request's outcome", func() bool { return len(e.types(t)) == 3 })
}

// TestReactorFailsOnAForeignInstance: a create that finds the name taken
// by an instance uivmm did not make for this request fails, and does not
// start that instance.
func TestReactorFailsOnAForeignInstance(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newReactorEnv(t, ctx)
	host := &creatingHost{fakeHost: newFakeHost(lxd.Instance{Name: "web", Type: "container", Status: "stopped"}), conflict: true}
	r := projections.NewInstanceReactor(projections.InstanceReactorConfig{Repo: e.repo, Hosts: creatingHosts{host},
		Keys: noKeys{}, Work: e.db, Log: e.log, Sweep: time.Hour})
	go r.RunHeld(ctx)
	rec := e.request(t)
	if err := r.React(ctx, rec, decode(t, rec)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the request's outcome", func() bool { return len(e.types(t)) == 2 })
	if got := e.types(t); got[1] != instance.TypeFailed {
		t.Fatalf("history %v", got)
	}
	host.mu.Lock()
	defer host.mu.Unlock()
	if host.starts != 0 {
		t.Errorf("the foreign instance was started")
	}
}
