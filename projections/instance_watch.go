package projections

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/readmodels"
)

// InstanceWatcherConfig holds the watcher's dependencies.
type InstanceWatcherConfig struct {
	Repo  *commands.Repo
	Hosts HostSource
	RM    *readmodels.DB // the managed servers, and the instances to reconcile with
	Log   *slog.Logger
	// Poll is how often the list of managed servers is read again, so a
	// new server is listened to and a removed one let go (default 1 s).
	Poll time.Duration
	// MinBackoff and MaxBackoff bound the wait before reconnecting to a
	// server whose event stream dropped or could not be opened (default
	// 500 ms and 30 s; doubled each attempt, with jitter).
	MinBackoff, MaxBackoff time.Duration
	Clock                  func() time.Time
}

// InstanceWatcher turns what LXD hosts report about their instances into
// history. For every managed server it keeps a connection to the host's
// /1.0/events (lifecycle and operation), reconnecting with backoff; on
// every (re)connection it first reconciles the host's instance list with
// the read model, then handles each lifecycle event as it comes:
//
//   - instance-started, -resumed, -restarted, -stopped, -shutdown,
//     -paused give instance.StatusObserved (running, stopped, frozen);
//   - instance-created of a name uivmm does not know gives
//     instance.AppearedExternally (a new id, owned by the server's owner);
//   - instance-deleted gives instance.VanishedExternally and frees the name;
//   - instance-renamed and -restored trigger a reconciliation.
//
// Operation events carry no change of their own and are not recorded.
// The actor of every such event is the host (eventstore.ActorExternal,
// ActorName "lxd:<host>:<port>"). The aggregate decides: a report that
// merely echoes uivmm's own pending work, or a status uivmm knows already,
// records nothing; anything else is recorded.
//
// It is a HeldWorker: only the process holding the reactor lease listens.
// Should two processes overlap for a moment (a lease lost but not noticed
// yet), the expected revision and the name claims make their records
// converge: the second finds the status recorded already, or the name
// claimed, and records nothing.
type InstanceWatcher struct {
	cfg InstanceWatcherConfig
}

// NewInstanceWatcher builds the watcher. It panics on nil dependencies.
func NewInstanceWatcher(cfg InstanceWatcherConfig) *InstanceWatcher {
	if cfg.Repo == nil || cfg.Hosts == nil || cfg.RM == nil || cfg.Log == nil {
		panic("projections: NewInstanceWatcher needs a repo, hosts, the read models and a logger")
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(cfg.MinBackoff, 30*time.Second)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &InstanceWatcher{cfg: cfg}
}

// Name implements HeldWorker.
func (w *InstanceWatcher) Name() string { return "lxd-events" }

// target is what a listener is bound to; a change restarts it.
type target struct {
	host string
	port int
	cert string
}

type listener struct {
	target target
	stop   context.CancelFunc
}

// RunHeld implements HeldWorker: it listens to every managed server until
// ctx ends.
func (w *InstanceWatcher) RunHeld(ctx context.Context) error {
	var wg sync.WaitGroup
	running := map[int64]listener{}
	defer func() {
		for _, l := range running {
			l.stop()
		}
		wg.Wait()
	}()
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		servers, err := w.cfg.RM.ServersOf(ctx, 0)
		if err != nil && ctx.Err() == nil {
			w.cfg.Log.Warn("listing managed servers", "err", err)
		}
		if err == nil {
			w.sync(ctx, &wg, running, servers)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// sync starts listeners for new servers and stops those of removed or
// changed ones.
func (w *InstanceWatcher) sync(ctx context.Context, wg *sync.WaitGroup, running map[int64]listener, servers []readmodels.Server) {
	want := make(map[int64]readmodels.Server, len(servers))
	for _, s := range servers {
		want[s.ID] = s
	}
	for id, l := range running {
		s, ok := want[id]
		if !ok || l.target != (target{s.Host, s.Port, s.CertFingerprint}) {
			l.stop()
			delete(running, id)
		}
	}
	for id, s := range want {
		if _, ok := running[id]; ok {
			continue
		}
		lctx, stop := context.WithCancel(ctx)
		running[id] = listener{target{s.Host, s.Port, s.CertFingerprint}, stop}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.listen(lctx, s)
		}()
	}
}

// listen keeps server s's event stream open until ctx ends.
func (w *InstanceWatcher) listen(ctx context.Context, s readmodels.Server) {
	h := &hostWatch{w: w, server: s, actor: "lxd:" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		started := time.Now()
		err := h.run(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > time.Minute {
			attempt = 0
		}
		wait := w.backoff(attempt)
		w.cfg.Log.Warn("lxd event stream ended; reconnecting", "server", s.ID, "host", h.actor, "in", wait, "err", err)
		sleep(ctx, wait)
	}
}

func (w *InstanceWatcher) backoff(attempt int) time.Duration {
	d := w.cfg.MinBackoff << min(attempt, 16)
	if d <= 0 || d > w.cfg.MaxBackoff {
		d = w.cfg.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// hostWatch is the listener of one server.
type hostWatch struct {
	w      *InstanceWatcher
	server readmodels.Server
	actor  string
	host   lxd.Host
	// listedAt is the store head when the instance list being reconciled
	// was taken; 0 outside a reconciliation.
	listedAt uint64
}

// run connects and handles events until the stream ends.
func (h *hostWatch) run(ctx context.Context) error {
	host, err := h.w.cfg.Hosts.Get(ctx, h.server.ID)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	h.host = host
	return host.Events(ctx, nil, func(ev lxd.Event) { h.handle(ctx, ev) })
}
