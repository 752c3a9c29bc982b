package reactors_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/reactors"
)

// fakeHost records profile updates; server 1's host is frozen (it
// answers only when the call's context ends).
type fakeHost struct {
	lxd.Host
	id  int64
	mu  *sync.Mutex
	log *[]string
}

func (h fakeHost) UpdateProfile(ctx context.Context, name, body, rename string) error {
	if h.id == 1 {
		<-ctx.Done()
		return ctx.Err()
	}
	h.mu.Lock()
	*h.log = append(*h.log, name)
	h.mu.Unlock()
	return nil
}

func (h fakeHost) DeleteProfile(ctx context.Context, name string) error {
	return &lxd.Error{Op: "deleting profile " + name, Status: 400, Message: "Profile is currently in use"}
}

type fakeHosts struct {
	mu  sync.Mutex
	log []string
}

func (f *fakeHosts) Get(_ context.Context, id int64) (lxd.Host, error) {
	return fakeHost{id: id, mu: &f.mu, log: &f.log}, nil
}

func (f *fakeHosts) applied() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// pendingAll says every server has work.
type pendingAll []int64

func (p pendingAll) ServersWithPendingRequests(context.Context) ([]int64, error) { return p, nil }

func classify(err error) (*domain.Error, bool) {
	le, ok := err.(*lxd.Error)
	if !ok {
		return nil, false
	}
	return &domain.Error{Kind: domain.KindConflict, Detail: strings.ToLower(le.Message)}, true
}

func newRepo(t *testing.T) *commands.Repo {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := domain.NewRegistry()
	server.Register(reg)
	return commands.NewRepo(st, reg)
}

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

// request records server id (once) and a request on it.
func request(t *testing.T, repo *commands.Repo, id int64, reqID string, expires time.Time,
	decide func(*server.Server, server.Ask) error) {
	t.Helper()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: 7, RequestID: reqID, Command: "test"}
	_, err := repo.Update(context.Background(), server.Stream(id), meta,
		func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error {
			s := a.(*server.Server)
			if s.ID() == 0 {
				if err := s.Add(server.AddSpec{ServerID: id, UserID: 7, Host: "127.0.0.1", Port: 8443, CertPEM: pem,
					CertFingerprint: strings.Repeat("a", 64), ClientFingerprint: strings.Repeat("c", 64),
					TrustMethod: server.TrustPassword}, time.Now()); err != nil {
					return err
				}
			}
			return decide(s, server.Ask{Actor: server.Actor{UserID: 7}, RequestID: reqID, ExpiresAt: expires, Now: time.Now()})
		})
	if err != nil {
		t.Fatal(err)
	}
}

// outcomes waits until server id has n outcome events and returns them.
func outcomes(t *testing.T, repo *commands.Repo, id int64, n int) []eventstore.RecordedEvent {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, err := repo.Store().ReadStream(context.Background(), server.Stream(id), 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []eventstore.RecordedEvent
		for _, r := range recs {
			if r.Metadata.ActorKind == eventstore.ActorSystem {
				out = append(out, r)
			}
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %d: %d outcomes, want %d", id, len(out), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSweepAppliesInOrderAndAFrozenHostBlocksNoOther: requests found by
// the sweep alone (no React, as after a crash) are applied in order; an
// expired one fails without a call; a frozen host holds up only its own
// server; LXD's refusal is recorded with its reason.
func TestSweepAppliesInOrderAndAFrozenHostBlocksNoOther(t *testing.T) {
	repo := newRepo(t)
	hosts := &fakeHosts{}
	soon := time.Now().Add(2 * time.Second)
	update := func(name string) func(*server.Server, server.Ask) error {
		return func(s *server.Server, a server.Ask) error {
			return s.RequestProfileUpdate(a, name, "name: "+name+"\n", "")
		}
	}
	request(t, repo, 1, "frozen", soon, update("never"))
	request(t, repo, 2, "r1", soon, update("first"))
	request(t, repo, 2, "old", time.Now().Add(-time.Second), update("expired"))
	request(t, repo, 2, "r2", soon, update("second"))
	request(t, repo, 2, "r3", soon, func(s *server.Server, a server.Ask) error { return s.RequestProfileDelete(a, "web") })

	r := reactors.NewServers(reactors.ServersConfig{Repo: repo, Hosts: hosts, Classify: classify,
		Pending: pendingAll{1, 2}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Parallel: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.RunHeld(ctx) }()

	start := time.Now()
	got := outcomes(t, repo, 2, 4)
	if took := time.Since(start); took > time.Second {
		t.Errorf("server 2's requests waited %s behind the frozen host", took)
	}
	if a := hosts.applied(); strings.Join(a, ",") != "first,second" {
		t.Errorf("applied %v, want first then second", a)
	}
	want := []string{server.TypeProfileUpdated, server.TypeProfileUpdateFailed, server.TypeProfileUpdated, server.TypeProfileDeleteFailed}
	for i, rec := range got {
		if rec.Type != want[i] {
			t.Errorf("outcome %d = %s, want %s", i, rec.Type, want[i])
		}
	}
	if !strings.Contains(string(got[1].Data), `"kind":"timeout"`) || !strings.Contains(string(got[3].Data), `"reason":"profile is currently in use"`) {
		t.Errorf("failures: %s / %s", got[1].Data, got[3].Data)
	}
	frozen := outcomes(t, repo, 1, 1)
	if !strings.Contains(string(frozen[0].Data), `"kind":"timeout"`) {
		t.Errorf("the frozen host's request: %s", frozen[0].Data)
	}
	// A second pass (another sweep, a redelivery) changes nothing.
	r.React(ctx, eventstore.RecordedEvent{}, &server.ProfileUpdateRequested{Request: server.Request{ServerID: 2}})
	time.Sleep(100 * time.Millisecond)
	if n := len(outcomes(t, repo, 2, 4)); n != 4 || len(hosts.applied()) != 2 {
		t.Errorf("a second pass recorded %d outcomes and applied %v", n, hosts.applied())
	}
	cancel()
	<-done
}
