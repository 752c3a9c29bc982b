package projections

import (
	"context"
	"errors"
	"strconv"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// NewInstancesProjector keeps readmodels.Instances: a row per instance
// from its first event (Requested or AppearedExternally) until Deleted or
// VanishedExternally, with the status the API shows (see
// readmodels.Instance). Outcomes of rows it does not have (a history
// replayed from the middle) are ignored. A removed server's rows go with
// it.
func NewInstancesProjector() Projector {
	return &funcProjector{model: readmodels.Instances, appliers: map[string]applier{
		instance.TypeRequested: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *instance.Requested) error {
			in := readmodels.Instance{ID: e.InstanceID, ServerID: e.ServerID, Name: e.Name, UserID: e.UserID,
				Type: e.Type, Status: instance.StatusRequested, Creating: true, Image: e.Image,
				Profiles: e.Profiles, RequestID: e.RequestID, CreatedAt: e.At, UpdatedAt: e.At}
			if e.MemoryMiB > 0 {
				in.Memory = strconv.Itoa(e.MemoryMiB) + "MiB"
			}
			if e.CPUs > 0 {
				in.CPU = strconv.Itoa(e.CPUs)
			}
			return upsert(ctx, tx, rec, in)
		}),
		instance.TypeAppearedExternal: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *instance.AppearedExternally) error {
			in := readmodels.Instance{ID: e.InstanceID, ServerID: e.ServerID, Name: e.Name, UserID: e.UserID,
				CreatedAt: e.At, UpdatedAt: e.At}
			withSnapshot(&in, e.Snapshot)
			in.Status = in.LXDStatus
			return upsert(ctx, tx, rec, in)
		}),
		instance.TypeCreated: update(func(in *readmodels.Instance, e *instance.Created) {
			withSnapshot(in, e.Snapshot)
			in.UpdatedAt = e.At
		}),
		instance.TypeStarted: update(func(in *readmodels.Instance, e *instance.Started) {
			in.Creating, in.InLXD, in.LXDStatus, in.UpdatedAt = false, true, e.Status, e.At
			in.Status = shown(in, e.Status)
		}),
		instance.TypeFailed: update(func(in *readmodels.Instance, e *instance.Failed) {
			in.Creating, in.Reason, in.UpdatedAt = false, e.Reason, e.At
			if e.Status != "" {
				in.InLXD, in.LXDStatus = true, e.Status
			} else if e.Stage == instance.StageCreate {
				in.InLXD, in.LXDStatus = false, ""
			}
			in.Status = shown(in, instance.StatusError)
		}),
		instance.TypeActionRequested: update(func(in *readmodels.Instance, e *instance.ActionRequested) {
			in.Pending++
			in.RequestID, in.UpdatedAt = e.RequestID, e.At
			in.Status = instance.ProgressStatus(e.Action)
		}),
		instance.TypeActionSucceeded: update(func(in *readmodels.Instance, e *instance.ActionSucceeded) {
			in.Pending = max(0, in.Pending-1)
			if e.Status != instance.StatusDeleted {
				in.InLXD, in.LXDStatus = true, e.Status
			}
			in.UpdatedAt = e.At
			in.Status = shown(in, e.Status)
		}),
		instance.TypeActionFailed: update(func(in *readmodels.Instance, e *instance.ActionFailed) {
			in.Pending = max(0, in.Pending-1)
			in.Reason, in.UpdatedAt = e.Reason, e.At
			status := instance.StatusError
			if e.Status != "" {
				in.InLXD, in.LXDStatus, status = true, e.Status, e.Status
			}
			in.Status = shown(in, status)
		}),
		instance.TypeStatusObserved: update(func(in *readmodels.Instance, e *instance.StatusObserved) {
			in.InLXD, in.LXDStatus, in.UpdatedAt = true, e.Status, e.At
			in.Status = shown(in, e.Status)
		}),
		instance.TypeDeleted: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *instance.Deleted) error {
			return firstErr(readmodels.DeleteInstance(ctx, tx, e.InstanceID), readmodels.BumpInstances(ctx, tx, e.ServerID, rec.Position))
		}),
		instance.TypeVanishedExternal: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *instance.VanishedExternally) error {
			return firstErr(readmodels.DeleteInstance(ctx, tx, e.InstanceID), readmodels.BumpInstances(ctx, tx, e.ServerID, rec.Position))
		}),
		server.TypeRemoved: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *server.Removed) error {
			return firstErr(readmodels.DeleteInstancesOfServer(ctx, tx, e.ServerID), readmodels.BumpInstances(ctx, tx, e.ServerID, rec.Position))
		}),
	}}
}

// shown is the status to show once an outcome or observation says
// status: work still pending keeps its in-progress status.
func shown(in *readmodels.Instance, status string) string {
	if in.Creating || in.Pending > 0 {
		return in.Status
	}
	return status
}

func withSnapshot(in *readmodels.Instance, s instance.Snapshot) {
	in.InLXD, in.LXDStatus = true, s.Status
	if s.Type != "" {
		in.Type = s.Type
	}
	in.Arch, in.ImageOS, in.ImageVersion = s.Architecture, s.ImageOS, s.ImageVersion
	in.Memory, in.CPU, in.Profiles, in.Devices = s.Memory, s.CPU, s.Profiles, s.Devices
}

// update adapts a change of an existing instance row; events about a row
// the model does not have change nothing.
func update[E domain.Event](f func(in *readmodels.Instance, e E)) applier {
	return on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e E) error {
		in, err := readmodels.InstanceByIDTx(ctx, tx, streamID(rec.Stream))
		if errors.Is(err, readmodels.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		f(&in, e)
		return upsert(ctx, tx, rec, in)
	})
}

// upsert writes in's row and moves its server's list version.
func upsert(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, in readmodels.Instance) error {
	if err := readmodels.UpsertInstance(ctx, tx, in); err != nil {
		return err
	}
	return readmodels.BumpInstances(ctx, tx, in.ServerID, rec.Position)
}
