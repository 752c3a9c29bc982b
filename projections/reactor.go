package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/lease"
	"github.com/uivmm/uivmm/eventstore"
)

// Reactor acts on the world (LXD, files) for the events it handles, and
// records what happened as new events (success, or failure with the
// reason) through the command layer. React returns an error only when it
// could not record an outcome at all; the runner then retries. Reactors
// must tolerate seeing an event again after a crash (check the state
// first: an instance that already exists was created).
type Reactor interface {
	Name() string
	Handles(eventType string) bool
	React(ctx context.Context, rec eventstore.RecordedEvent, ev domain.Event) error
}

// ReactorConfig configures a ReactorRunner.
type ReactorConfig struct {
	// Group names the lease ("lxd"); one holder runs the group at a time.
	Group string
	// Holder identifies this process; default host:pid:random.
	Holder string
	// TTL is the lease's lifetime; it is renewed at a third of it. A
	// crashed holder's work is taken over within TTL. Default 30 s.
	TTL time.Duration
	// Attempts bounds retries of a failing React. Default 5.
	Attempts int
}

func (c *ReactorConfig) setDefaults() {
	if c.Group == "" {
		c.Group = "reactors"
	}
	if c.Holder == "" {
		host, _ := os.Hostname()
		c.Holder = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), uuid.NewString()[:8])
	}
	if c.TTL <= 0 {
		c.TTL = 30 * time.Second
	}
	if c.Attempts <= 0 {
		c.Attempts = 5
	}
}

// ReactorRunner runs reactors under a lease kept in the event store, with
// their checkpoint in the same lease stream (so a process that lost the
// lease cannot move the checkpoint, and stops).
type ReactorRunner struct {
	repo     *commands.Repo
	store    eventstore.Store
	reg      *domain.Registry
	log      *slog.Logger
	cfg      ReactorConfig
	reactors []Reactor
	held     []HeldWorker // see held.go
	now      func() time.Time
}

// NewReactorRunner builds a runner. It panics on nil dependencies.
func NewReactorRunner(repo *commands.Repo, reg *domain.Registry, log *slog.Logger, cfg ReactorConfig, rs ...Reactor) *ReactorRunner {
	if repo == nil || reg == nil || log == nil {
		panic("projections: NewReactorRunner needs a repo, a registry and a logger")
	}
	cfg.setDefaults()
	return &ReactorRunner{repo: repo, store: repo.Store(), reg: reg, log: log, cfg: cfg, reactors: rs, now: time.Now}
}

// Holder returns this runner's lease holder id.
func (r *ReactorRunner) Holder() string { return r.cfg.Holder }

// Run competes for the lease until ctx ends; while it holds the lease it
// reacts to every event after the checkpoint.
func (r *ReactorRunner) Run(ctx context.Context) error {
	if len(r.reactors) == 0 && len(r.held) == 0 {
		<-ctx.Done()
		return ctx.Err()
	}
	for {
		from, err := r.acquire(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, lease.ErrHeld):
			sleep(ctx, r.cfg.TTL/3)
			continue
		case err != nil:
			r.log.Warn("reactor lease", "group", r.cfg.Group, "err", err)
			sleep(ctx, r.cfg.TTL/3)
			continue
		}
		r.log.Info("reactor lease acquired", "group", r.cfg.Group, "holder", r.cfg.Holder, "from", from)
		err = r.hold(ctx, from)
		if ctx.Err() != nil {
			r.release()
			return ctx.Err()
		}
		r.log.Warn("reactor lease lost", "group", r.cfg.Group, "holder", r.cfg.Holder, "err", err)
	}
}

func (r *ReactorRunner) meta(what string) eventstore.Metadata {
	// A fresh request id per call: every event names one (the backbone's
	// rule), and a constant one would make Repo.Update see a renewal as
	// a repeat of the last one.
	return eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: r.cfg.Holder, Command: "reactor." + what,
		RequestID: "lease-" + uuid.NewString()}
}

func (r *ReactorRunner) update(ctx context.Context, what string, decide func(*lease.Lease) error) (*lease.Lease, error) {
	var got *lease.Lease
	_, err := r.repo.Update(ctx, lease.Stream(r.cfg.Group), r.meta(what),
		func() domain.Aggregate { return lease.New() },
		func(a domain.Aggregate) error { got = a.(*lease.Lease); return decide(got) })
	return got, err
}

func (r *ReactorRunner) acquire(ctx context.Context) (uint64, error) {
	l, err := r.update(ctx, "acquire", func(l *lease.Lease) error { return l.Acquire(r.cfg.Holder, r.now(), r.cfg.TTL) })
	if err != nil {
		return 0, err
	}
	return l.Position(), nil
}

// hold reacts while the lease is ours; it returns when it is lost.
func (r *ReactorRunner) hold(ctx context.Context, from uint64) error {
	hctx, cancel := context.WithCancelCause(ctx)
	defer r.runHeld(hctx)() // stops them after cancel
	defer cancel(nil)
	go r.renew(hctx, cancel)
	err := r.store.Subscribe(hctx, from, func(ctx context.Context, rec eventstore.RecordedEvent) error {
		return r.handle(ctx, rec)
	})
	if cause := context.Cause(hctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func (r *ReactorRunner) renew(ctx context.Context, lost context.CancelCauseFunc) {
	t := time.NewTicker(r.cfg.TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.update(ctx, "renew", func(l *lease.Lease) error { return l.Renew(r.cfg.Holder, r.now(), r.cfg.TTL) }); err != nil {
				lost(fmt.Errorf("renewing: %w", err))
				return
			}
		}
	}
}

// handle runs every reactor that handles rec, then moves the fenced
// checkpoint past it.
func (r *ReactorRunner) handle(ctx context.Context, rec eventstore.RecordedEvent) error {
	handled := false
	for _, re := range r.reactors {
		if !re.Handles(rec.Type) {
			continue
		}
		handled = true
		ev, err := r.reg.Decode(rec.Type, rec.Data)
		if err != nil {
			r.log.Error("reactor cannot decode event", "reactor", re.Name(), "position", rec.Position, "err", err)
			continue
		}
		r.react(ctx, re, rec, ev)
	}
	if !handled {
		return nil
	}
	_, err := r.update(ctx, "checkpoint", func(l *lease.Lease) error { return l.Advance(r.cfg.Holder, rec.Position, r.now()) })
	return err
}

func (r *ReactorRunner) react(ctx context.Context, re Reactor, rec eventstore.RecordedEvent, ev domain.Event) {
	for attempt := 1; ; attempt++ {
		err := re.React(ctx, rec, ev)
		if err == nil || ctx.Err() != nil {
			return
		}
		if attempt >= r.cfg.Attempts {
			r.log.Error("reactor gave up", "reactor", re.Name(), "position", rec.Position, "type", rec.Type, "err", err)
			return
		}
		r.log.Warn("reactor failed, retrying", "reactor", re.Name(), "position", rec.Position, "attempt", attempt, "err", err)
		sleep(ctx, time.Duration(attempt)*200*time.Millisecond)
	}
}

func (r *ReactorRunner) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = r.update(ctx, "release", func(l *lease.Lease) error { l.Release(r.cfg.Holder); return nil })
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
