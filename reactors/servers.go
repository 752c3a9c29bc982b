package reactors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/projections"
)

// Hosts hands out the connection to a managed server (hosts.Registry).
type Hosts interface {
	Get(ctx context.Context, serverID int64) (lxd.Host, error)
}

// Pending lists the servers with requests still waiting for an outcome
// (readmodels.DB).
type Pending interface {
	ServersWithPendingRequests(ctx context.Context) ([]int64, error)
}

// Classify turns an LXD failure into a user-safe domain error (the API's
// mapper); ok is false for errors it does not know.
type Classify func(err error) (*domain.Error, bool)

// DetailExpired is the reason of a request seen after its caller stopped
// waiting: it is not applied.
const DetailExpired = "the request expired before the lxd server applied it"

// ServersConfig holds the reactor's dependencies and settings.
type ServersConfig struct {
	Repo     *commands.Repo
	Hosts    Hosts
	Classify Classify
	Pending  Pending
	Log      *slog.Logger
	// Parallel bounds how many servers are worked on at once (default 4);
	// the requests of one server are applied one at a time, in order.
	Parallel int
	// Sweep is how often requests without an outcome are looked for
	// again (default 30 s); the first sweep runs when the lease is won.
	Sweep time.Duration
	Clock func() time.Time
}

// Servers applies the requests on servers' resources (profile update and
// delete, image delete, certificate revoke) and records their outcomes:
// success, or failure with a user-safe reason (LXD's message).
//
// It is a Reactor (React only marks the server as having work, so a slow
// or frozen host never holds up the reactor group) and a HeldWorker
// (RunHeld works the queue while the lease is held). The requests of one
// server are applied in the order they were recorded; a request whose
// outcome is recorded is skipped, so nothing is applied twice by a
// redelivery. Since the lease checkpoint passes a request before it is
// applied, RunHeld also sweeps the servers that still have requests
// without an outcome, when it starts and every Sweep.
//
// Each request carries the time its caller stops waiting: the LXD call is
// bounded by it, and a request found after it is failed without touching
// LXD.
type Servers struct {
	cfg   ServersConfig
	queue *dirtySet
	reg   *domain.Registry
}

var (
	_ projections.Reactor    = (*Servers)(nil)
	_ projections.HeldWorker = (*Servers)(nil)
)

// NewServers builds the reactor. It panics on nil dependencies.
func NewServers(cfg ServersConfig) *Servers {
	if cfg.Repo == nil || cfg.Hosts == nil || cfg.Classify == nil || cfg.Pending == nil || cfg.Log == nil {
		panic("reactors: NewServers needs a repo, hosts, a classifier, the pending requests and a logger")
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	if cfg.Sweep <= 0 {
		cfg.Sweep = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	reg := domain.NewRegistry()
	server.Register(reg)
	return &Servers{cfg: cfg, queue: newDirtySet(), reg: reg}
}

// Name is the reactor's lasting name.
func (r *Servers) Name() string { return "lxd-servers" }

// Handles reports whether eventType is a server request.
func (r *Servers) Handles(eventType string) bool {
	return slices.Contains(server.RequestTypes(), eventType)
}

// React marks the request's server as having work.
func (r *Servers) React(ctx context.Context, rec eventstore.RecordedEvent, ev domain.Event) error {
	if req, ok := server.RequestOf(ev); ok {
		r.queue.mark(req.ServerID)
	}
	return nil
}

// RunHeld works the queue and sweeps until ctx ends.
func (r *Servers) RunHeld(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.queue.run(ctx, r.cfg.Parallel, r.work)
	}()
	t := time.NewTicker(r.cfg.Sweep)
	defer t.Stop()
	for {
		ids, err := r.cfg.Pending.ServersWithPendingRequests(ctx)
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Warn("looking for server requests without an outcome", "err", err)
		}
		for _, id := range ids {
			r.queue.mark(id)
		}
		select {
		case <-ctx.Done():
			<-done
			return ctx.Err()
		case <-t.C:
		}
	}
}

// work applies every pending request of server id, in order.
func (r *Servers) work(ctx context.Context, id int64) {
	s := server.New()
	recs, err := r.cfg.Repo.Load(ctx, server.Stream(id), s)
	if err != nil {
		r.cfg.Log.Warn("loading a server's requests", "server_id", id, "err", err)
		return
	}
	for _, rec := range recs {
		if !r.Handles(rec.Type) {
			continue
		}
		ev, err := r.reg.Decode(rec.Type, rec.Data)
		if err != nil {
			r.cfg.Log.Error("undecodable server request", "server_id", id, "position", rec.Position, "err", err)
			continue
		}
		req, apply, ok := plan(ev)
		if !ok || !s.Pending(req.RequestID) {
			continue
		}
		outcome := r.apply(ctx, req, apply)
		if ctx.Err() != nil {
			return // stopping, or the lease is lost: the next holder's sweep finds it
		}
		if err := r.record(ctx, rec, req, outcome); err != nil {
			r.cfg.Log.Error("server request outcome not recorded; left for the next sweep", "server_id", id,
				"request_id", req.RequestID, "err", err)
			return
		}
	}
}

// plan returns the request's common part and the LXD call that applies it.
func plan(ev domain.Event) (server.Request, func(context.Context, lxd.Host) error, bool) {
	switch e := ev.(type) {
	case *server.ProfileUpdateRequested:
		return e.Request, func(ctx context.Context, h lxd.Host) error { return h.UpdateProfile(ctx, e.Name, e.Body, e.Rename) }, true
	case *server.ProfileDeleteRequested:
		return e.Request, func(ctx context.Context, h lxd.Host) error { return h.DeleteProfile(ctx, e.Name) }, true
	case *server.ImageDeleteRequested:
		return e.Request, func(ctx context.Context, h lxd.Host) error { return h.DeleteImage(ctx, e.Fingerprint) }, true
	case *server.CertificateRevokeRequested:
		return e.Request, func(ctx context.Context, h lxd.Host) error { return h.DeleteCertificate(ctx, e.Fingerprint) }, true
	}
	return server.Request{}, nil, false
}

// apply runs the LXD call, bounded by the request's deadline.
func (r *Servers) apply(ctx context.Context, req server.Request, apply func(context.Context, lxd.Host) error) error {
	deadline := time.UnixMilli(req.ExpiresAt)
	if !r.cfg.Clock().Before(deadline) {
		return &domain.Error{Kind: domain.KindTimeout, Detail: DetailExpired}
	}
	cctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	h, err := r.cfg.Hosts.Get(cctx, req.ServerID)
	if err == nil {
		err = apply(cctx, h)
	}
	if err != nil {
		r.cfg.Log.Info("lxd request failed", "reactor", r.Name(), "server_id", req.ServerID,
			"request_id", req.RequestID, "err", err)
	}
	return err
}

// record appends the outcome, retrying a few times: the LXD change is
// done (or refused) and must not be applied again.
func (r *Servers) record(ctx context.Context, rec eventstore.RecordedEvent, req server.Request, outcome error) error {
	kind, reason := "", ""
	if outcome != nil {
		de := r.failure(outcome)
		kind, reason = de.Kind.String(), de.Detail
	}
	corr := rec.Metadata.CorrelationID
	if corr == "" {
		corr = rec.Metadata.RequestID
	}
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "reactor:" + r.Name(),
		RequestID: rec.Metadata.RequestID, CorrelationID: corr, CausationID: rec.ID, Command: "reactor." + r.Name()}
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		_, err = r.cfg.Repo.Update(ctx, server.Stream(req.ServerID), meta,
			func() domain.Aggregate { return server.New() },
			func(a domain.Aggregate) error {
				s := a.(*server.Server)
				if outcome == nil {
					s.Succeed(req.RequestID, r.cfg.Clock())
				} else {
					s.Fail(req.RequestID, kind, reason, r.cfg.Clock())
				}
				return nil
			})
		if err == nil || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, time.Duration(attempt)*200*time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("recording the outcome of %s: %w", req.RequestID, err)
	}
	return nil
}

// failure is outcome as a domain error: a domain error as it is, an LXD
// error through the classifier, anything else a generic upstream failure.
func (r *Servers) failure(outcome error) *domain.Error {
	if de, ok := domain.As(outcome); ok {
		return de
	}
	if de, ok := r.cfg.Classify(outcome); ok {
		return de
	}
	if errors.Is(outcome, context.DeadlineExceeded) {
		return &domain.Error{Kind: domain.KindTimeout, Detail: DetailExpired}
	}
	return &domain.Error{Kind: domain.KindUpstream, Detail: "the lxd server failed the request"}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
