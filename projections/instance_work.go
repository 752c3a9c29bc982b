package projections

import (
	"context"
	"errors"
	"strconv"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd"
)

// create makes and starts the instance of request ev, unless its outcome
// is recorded already. It returns an error only when it could not record
// an outcome (or ctx ended).
func (r *InstanceReactor) create(ctx context.Context, rec eventstore.RecordedEvent, ev *instance.Requested) error {
	in, err := r.cfg.Repo.LoadInstance(ctx, ev.InstanceID)
	if err != nil {
		return err
	}
	if !in.Creating() {
		return nil
	}
	done := outcomeMeta(rec, ev.RequestID, "instance.add")
	fail := func(stage string, cause error, status string) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.cfg.Log.Info("instance request failed", "instance", ev.InstanceID, "stage", stage, "request_id", ev.RequestID, "err", cause)
		_, err := r.record(ctx, ev.InstanceID, done, func(in *instance.Instance) { in.Fail(stage, reason(cause), status, r.cfg.Clock()) })
		return err
	}
	host, err := r.cfg.Hosts.Get(ctx, ev.ServerID)
	if err != nil {
		return fail(instance.StageCreate, err, "")
	}
	if !in.InLXD() {
		spec, err := r.spec(ctx, ev)
		if err != nil {
			return fail(instance.StageCreate, err, "")
		}
		err = host.CreateInstance(ctx, spec)
		if err != nil && !errors.Is(err, lxd.ErrConflict) {
			return fail(instance.StageCreate, err, "")
		}
		got, gerr := host.Instance(ctx, ev.Name)
		if err != nil && (gerr != nil || got.User[MarkKey] != strconv.FormatInt(ev.InstanceID, 10)) {
			return fail(instance.StageCreate, err, "") // the name is taken by an instance uivmm did not make for this request
		}
		snap := instance.Snapshot{Type: ev.Type, Status: instance.StatusStopped}
		if gerr == nil {
			snap = snapshotOf(got)
		}
		created := outcomeMeta(rec, ev.RequestID, commands.CommandInstanceCreated)
		if _, err := r.record(ctx, ev.InstanceID, created, func(in *instance.Instance) { in.MarkCreated(snap, r.cfg.Clock()) }); err != nil {
			return err
		}
	}
	if err := host.InstanceAction(ctx, ev.Name, lxd.ActionStart); err != nil {
		return fail(instance.StageStart, err, statusOf(ctx, host, ev.Name))
	}
	status := statusOf(ctx, host, ev.Name)
	if status == "" {
		status = instance.StatusRunning
	}
	_, err = r.record(ctx, ev.InstanceID, done, func(in *instance.Instance) { in.MarkStarted(status, r.cfg.Clock()) })
	return err
}

// spec is what LXD is asked to make: the request, the owner's SSH keys
// and the command as cloud-init user data, the network as cloud-init
// network config.
func (r *InstanceReactor) spec(ctx context.Context, ev *instance.Requested) (lxd.InstanceSpec, error) {
	keys, err := r.cfg.Keys.SSHKeysOfUser(ctx, ev.UserID)
	if err != nil {
		return lxd.InstanceSpec{}, err
	}
	ud, err := userData(keys, ev.Command)
	if err != nil {
		return lxd.InstanceSpec{}, err
	}
	nc, err := networkConfig(ev.Spec)
	if err != nil {
		return lxd.InstanceSpec{}, err
	}
	src := lxd.ImageSource{Server: ev.ImageServer, Image: ev.Image}
	if src.Server != "" && r.cfg.ImageCert != nil {
		src.Certificate = r.cfg.ImageCert(src.Server)
	}
	return lxd.InstanceSpec{Name: ev.Name, Type: ev.Type, Source: src, Profiles: ev.Profiles, MemoryMiB: ev.MemoryMiB,
		CPUs: ev.CPUs, UserData: ud, NetworkConfig: nc,
		Config: map[string]string{MarkKey: strconv.FormatInt(ev.InstanceID, 10)}}, nil
}

// MarkKey is the LXD config key in which uivmm writes the id of the
// instance it makes. A create that finds the name taken counts as done
// only when the instance there carries the request's id (a redelivered
// request); any other instance of that name fails the request.
const MarkKey = "user.uivmm.instance-id"

// act does the action of request ev, unless its outcome is recorded
// already. A delete of an instance LXD does not have succeeds.
func (r *InstanceReactor) act(ctx context.Context, rec eventstore.RecordedEvent, ev *instance.ActionRequested) error {
	in, err := r.cfg.Repo.LoadInstance(ctx, ev.InstanceID)
	if err != nil {
		return err
	}
	action, pending := in.PendingAction(ev.RequestID)
	if !pending {
		return nil
	}
	meta := outcomeMeta(rec, ev.RequestID, "instance.action")
	host, err := r.cfg.Hosts.Get(ctx, in.ServerID())
	if err == nil {
		err = host.InstanceAction(ctx, in.Name(), lxd.Action(action))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if action == instance.ActionDelete && (err == nil || errors.Is(err, lxd.ErrNotFound)) {
		got, err := r.record(ctx, ev.InstanceID, meta, func(in *instance.Instance) { in.CompleteAction(ev.RequestID, "", r.cfg.Clock()) })
		if err != nil {
			return err
		}
		return r.cfg.Repo.ReleaseInstanceName(ctx, got, meta)
	}
	status := ""
	if host != nil {
		status = statusOf(ctx, host, in.Name())
	}
	if cause := err; cause != nil {
		r.cfg.Log.Info("instance action failed", "instance", ev.InstanceID, "action", action, "request_id", ev.RequestID, "err", cause)
		_, err = r.record(ctx, ev.InstanceID, meta, func(in *instance.Instance) { in.FailAction(ev.RequestID, reason(cause), status, r.cfg.Clock()) })
		return err
	}
	if status == "" {
		status = instance.EndStatus(action)
	}
	_, err = r.record(ctx, ev.InstanceID, meta, func(in *instance.Instance) { in.CompleteAction(ev.RequestID, status, r.cfg.Clock()) })
	return err
}
