package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/readmodels"
)

// HostSource gives the connection to a managed server (hosts.Registry).
type HostSource interface {
	Get(ctx context.Context, serverID int64) (lxd.Host, error)
}

// SSHKeySource lists a user's public keys as authorized_keys lines
// (readmodels.DB).
type SSHKeySource interface {
	SSHKeysOfUser(ctx context.Context, userID int64) ([]string, error)
}

// InstanceReactorConfig holds the reactor's dependencies. ImageCert may
// be nil; it returns the PEM certificate to pin for an https image server
// (uivmm's own simplestreams server), "" for none.
type InstanceReactorConfig struct {
	Repo      *commands.Repo
	Hosts     HostSource
	Keys      SSHKeySource
	Work      *readmodels.DB // finds work without an outcome (InstancesWithWork)
	Log       *slog.Logger
	ImageCert func(url string) string
	// Parallel bounds how many instances are worked on at once (default 4);
	// work on one instance is always done in order, one at a time.
	Parallel int
	// Sweep is how often work without an outcome is looked for again
	// (default 30 s).
	Sweep time.Duration
	Clock func() time.Time
}

// InstanceReactor does on LXD what instance.add and instance.action ask
// for, and records the outcome: Created then Started, or Failed, for a
// request; ActionSucceeded (and Deleted) or ActionFailed for an action.
// Every outcome carries the request's request id, the triggering event's
// id as causation, and the system as actor.
//
// It is both a Reactor (React only queues the work, so a slow LXD call on
// one instance never holds up the others or the reactor group's
// checkpoint) and a HeldWorker (RunHeld runs the queue while the lease is
// held). Work on one instance runs in the order it was asked for. Because
// React returns before the work is done, the lease checkpoint does not
// prove the work was done: RunHeld looks for requests and actions without
// an outcome when it starts and every Sweep, and queues them again. Every
// job first checks the aggregate, so work is never done twice: a request
// whose outcome is recorded is skipped, and a create finding the instance
// already there counts as created.
type InstanceReactor struct {
	cfg   InstanceReactorConfig
	queue *keyedQueue
}

// NewInstanceReactor builds the reactor. It panics on nil dependencies.
func NewInstanceReactor(cfg InstanceReactorConfig) *InstanceReactor {
	if cfg.Repo == nil || cfg.Hosts == nil || cfg.Keys == nil || cfg.Work == nil || cfg.Log == nil {
		panic("projections: NewInstanceReactor needs a repo, hosts, keys, the read models and a logger")
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
	r := &InstanceReactor{cfg: cfg}
	r.queue = newKeyedQueue(cfg.Parallel, r.do)
	return r
}

// Name implements Reactor and HeldWorker.
func (r *InstanceReactor) Name() string { return "instances" }

// Handles implements Reactor.
func (r *InstanceReactor) Handles(t string) bool {
	return t == instance.TypeRequested || t == instance.TypeActionRequested
}

// React implements Reactor: it queues the work.
func (r *InstanceReactor) React(ctx context.Context, rec eventstore.RecordedEvent, ev domain.Event) error {
	r.queue.add(streamID(rec.Stream), job{rec: rec, ev: ev})
	return nil
}

// RunHeld implements HeldWorker: it runs the queue until ctx ends.
func (r *InstanceReactor) RunHeld(ctx context.Context) error {
	r.queue.start(ctx)
	defer r.queue.stop()
	t := time.NewTicker(r.cfg.Sweep)
	defer t.Stop()
	for {
		if err := r.sweep(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Log.Warn("looking for instance work without an outcome", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// sweep queues every request and action that has no outcome yet.
func (r *InstanceReactor) sweep(ctx context.Context) error {
	rows, err := r.cfg.Work.InstancesWithWork(ctx)
	if err != nil {
		return err
	}
	for _, row := range rows {
		recs, err := r.cfg.Repo.Store().ReadStream(ctx, instance.Stream(row.ID), 0)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if !r.Handles(rec.Type) {
				continue
			}
			ev, err := decodeInstanceEvent(rec)
			if err != nil {
				return err
			}
			r.queue.add(row.ID, job{rec: rec, ev: ev})
		}
	}
	return nil
}

// instanceEvents decodes the instance events the sweep re-reads.
var instanceEvents = func() *domain.Registry {
	reg := domain.NewRegistry()
	instance.Register(reg)
	return reg
}()

func decodeInstanceEvent(rec eventstore.RecordedEvent) (domain.Event, error) {
	return instanceEvents.Decode(rec.Type, rec.Data)
}

// do runs one job; a job whose outcome cannot be recorded is retried a
// few times, then left for the next sweep.
func (r *InstanceReactor) do(ctx context.Context, j job) {
	for attempt := 1; ; attempt++ {
		var err error
		switch ev := j.ev.(type) {
		case *instance.Requested:
			err = r.create(ctx, j.rec, ev)
		case *instance.ActionRequested:
			err = r.act(ctx, j.rec, ev)
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		if attempt >= 3 {
			r.cfg.Log.Error("instance work failed; left for the next sweep", "stream", j.rec.Stream,
				"type", j.rec.Type, "request_id", j.rec.Metadata.RequestID, "err", err)
			return
		}
		sleep(ctx, time.Duration(attempt)*500*time.Millisecond)
	}
}

// outcomeMeta is the metadata of an outcome of rec's request.
func outcomeMeta(rec eventstore.RecordedEvent, requestID, command string) eventstore.Metadata {
	corr := rec.Metadata.CorrelationID
	if corr == "" {
		corr = requestID
	}
	return eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "reactor:instances", RequestID: requestID,
		CorrelationID: corr, CausationID: rec.ID, Command: command}
}

// reason is the user-safe text of an LXD failure: LXD's own message, or
// the name of what went wrong.
func reason(err error) string {
	var le *lxd.Error
	if errors.As(err, &le) && le.Message != "" {
		return le.Message
	}
	for _, s := range []error{lxd.ErrUnreachable, lxd.ErrTimeout, lxd.ErrCertificateChanged, lxd.ErrNotTrusted,
		lxd.ErrNotFound, lxd.ErrInvalid, lxd.ErrNotLXD} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	if de, ok := domain.As(err); ok && de.Detail != "" {
		return de.Detail
	}
	return "the lxd call failed"
}

// statusOf reads the instance's LXD status; "" when it cannot.
func statusOf(ctx context.Context, h lxd.Host, name string) string {
	in, err := h.Instance(ctx, name)
	if err != nil {
		return ""
	}
	return in.Status
}

func snapshotOf(in lxd.Instance) instance.Snapshot {
	return instance.Snapshot{Type: in.Type, Architecture: in.Architecture, Status: in.Status, ImageOS: in.ImageOS,
		ImageVersion: in.ImageVersion, Memory: in.Memory, CPU: in.CPU, Profiles: in.Profiles, Devices: in.Devices}
}

func (r *InstanceReactor) record(ctx context.Context, id int64, meta eventstore.Metadata, decide func(*instance.Instance)) (*instance.Instance, error) {
	in, _, err := r.cfg.Repo.RecordInstance(ctx, id, meta, func(in *instance.Instance) error { decide(in); return nil })
	if err != nil {
		return nil, fmt.Errorf("recording the outcome of %s: %w", meta.Command, err)
	}
	return in, nil
}
