package projections

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/readmodels"
)

// lifecycleStatus maps LXD lifecycle actions to the status they report.
var lifecycleStatus = map[string]string{
	"instance-started":   instance.StatusRunning,
	"instance-resumed":   instance.StatusRunning,
	"instance-restarted": instance.StatusRunning,
	"instance-stopped":   instance.StatusStopped,
	"instance-shutdown":  instance.StatusStopped,
	"instance-paused":    instance.StatusFrozen,
}

// handle turns one LXD event into history. It runs on the stream's
// goroutine, so events are handled one at a time, in LXD's order.
func (h *hostWatch) handle(ctx context.Context, ev lxd.Event) {
	defer func(start time.Time) {
		if ev.Type != lxd.EventOperation {
			h.w.cfg.Log.Debug("lxd event handled", "server", h.server.ID, "type", ev.Type, "action", ev.Action,
				"instance", ev.Instance, "lxd_time", ev.Time, "took", time.Since(start))
		}
	}(time.Now())
	meta := h.meta("")
	switch {
	case ev.Type == lxd.EventConnected:
		h.reconcile(ctx)
	case ev.Type != lxd.EventLifecycle || ev.Instance == "":
	case lifecycleStatus[ev.Action] != "":
		h.observe(ctx, 0, ev.Instance, lifecycleStatus[ev.Action], instance.SourceEvent, ev.Action, meta)
	case ev.Action == "instance-created":
		h.appeared(ctx, ev.Instance, nil, instance.SourceEvent, meta)
	case ev.Action == "instance-deleted":
		h.vanished(ctx, ev.Instance, instance.SourceEvent, meta)
	case ev.Action == "instance-renamed" || ev.Action == "instance-restored":
		h.reconcile(ctx)
	}
}

// meta is the metadata of what this host reports; correlation groups
// the records of one reconciliation.
func (h *hostWatch) meta(correlation string) eventstore.Metadata {
	return eventstore.Metadata{ActorKind: eventstore.ActorExternal, ActorName: h.actor, CorrelationID: correlation}
}

func (h *hostWatch) warn(msg, name string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		h.w.cfg.Log.Warn(msg, "server", h.server.ID, "host", h.actor, "instance", name, "err", err)
	}
}

// observe records status for instance id (0: look the name up; a name
// uivmm does not know has appeared).
func (h *hostWatch) observe(ctx context.Context, id int64, name, status, source, lxdAction string, meta eventstore.Metadata) {
	if id == 0 {
		var err error
		if id, err = h.w.cfg.Repo.InstanceIDByName(ctx, h.server.ID, name); err != nil {
			h.warn("looking up an instance", name, err)
			return
		}
		if id == 0 {
			h.appeared(ctx, name, nil, source, meta)
			return
		}
	}
	if h.movedSinceList(ctx, id) {
		return
	}
	_, _, err := h.w.cfg.Repo.RecordInstance(ctx, id, meta, func(in *instance.Instance) error {
		in.Observe(status, source, lxdAction, h.w.cfg.Clock())
		return nil
	})
	h.warn("recording an observed status", name, err)
}

// movedSinceList reports, during a reconciliation, whether instance id's
// history has an event newer than the instance list.
func (h *hostWatch) movedSinceList(ctx context.Context, id int64) bool {
	if h.listedAt == 0 {
		return false
	}
	recs, err := h.w.cfg.Repo.Store().ReadStream(ctx, instance.Stream(id), 0)
	return err == nil && len(recs) > 0 && recs[len(recs)-1].Position > h.listedAt
}

// appeared records an instance LXD has: as appeared when uivmm does not
// know the name, else as an observation of its status. got is what LXD
// says of it; nil reads it.
func (h *hostWatch) appeared(ctx context.Context, name string, got *lxd.Instance, source string, meta eventstore.Metadata) {
	if got == nil {
		in, err := h.host.Instance(ctx, name)
		if errors.Is(err, lxd.ErrNotFound) {
			return // gone again; its deletion follows
		}
		if err != nil {
			h.warn("reading an instance", name, err)
			return
		}
		got = &in
	}
	id, appeared, err := h.w.cfg.Repo.RecordAppeared(ctx, h.server.ID, h.server.UserID, name, snapshotOf(*got),
		source, meta, h.w.cfg.Clock())
	if err != nil {
		h.warn("recording an instance that appeared", name, err)
		return
	}
	if !appeared && id != 0 {
		h.observe(ctx, id, name, got.Status, source, "", meta)
	}
}

// vanished records that LXD no longer has the instance name, and frees
// the name.
func (h *hostWatch) vanished(ctx context.Context, name, source string, meta eventstore.Metadata) {
	id, err := h.w.cfg.Repo.InstanceIDByName(ctx, h.server.ID, name)
	if err != nil || id == 0 || h.movedSinceList(ctx, id) {
		h.warn("looking up an instance", name, err)
		return
	}
	in, _, err := h.w.cfg.Repo.RecordInstance(ctx, id, meta, func(in *instance.Instance) error {
		in.ObserveVanished(source, h.w.cfg.Clock())
		return nil
	})
	if err == nil {
		err = h.w.cfg.Repo.ReleaseInstanceName(ctx, in, meta)
	}
	h.warn("recording an instance that vanished", name, err)
}

// reconcile compares the host's instance list with the read model and
// records the drift: instances that appeared, vanished or changed status
// while uivmm was not listening.
//
// An instance whose history moved after the list was taken is left alone:
// what uivmm recorded since is newer than the list, and any change LXD
// made since comes as an event after this reconciliation.
func (h *hostWatch) reconcile(ctx context.Context) {
	head, err := h.w.cfg.Repo.Store().Head(ctx)
	if err != nil {
		h.warn("reconciling: reading the store head", "", err)
		return
	}
	h.listedAt = head
	defer func() { h.listedAt = 0 }()
	var list []lxd.Instance
	for attempt := 1; attempt <= 3; attempt++ {
		if list, err = h.host.Instances(ctx); err == nil || ctx.Err() != nil {
			break
		}
		sleep(ctx, time.Duration(attempt)*time.Second)
	}
	if err != nil {
		h.warn("reconciling: listing instances", "", err)
		return
	}
	rows, err := h.w.cfg.RM.InstancesOnServer(ctx, h.server.ID)
	if err != nil {
		h.warn("reconciling: reading the read model", "", err)
		return
	}
	meta := h.meta("lxd-reconcile:" + uuid.NewString())
	known := make(map[string]readmodels.Instance, len(rows))
	for _, r := range rows {
		known[r.Name] = r
	}
	inLXD := make(map[string]bool, len(list))
	for i := range list {
		got := &list[i]
		inLXD[got.Name] = true
		row, ok := known[got.Name]
		switch {
		case !ok:
			h.appeared(ctx, got.Name, got, instance.SourceReconcile, meta)
		case !row.InLXD || row.LXDStatus != got.Status:
			h.observe(ctx, row.ID, got.Name, got.Status, instance.SourceReconcile, "", meta)
		}
	}
	for _, row := range rows {
		if row.InLXD && !inLXD[row.Name] {
			h.vanished(ctx, row.Name, instance.SourceReconcile, meta)
		}
	}
}
