package commands

import (
	"context"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
)

// RecordInstance is how reactors and the LXD listener record what
// happened to instance id: it loads the instance, lets decide call its
// behaviour methods, and appends what they recorded with meta, deciding
// again after a lost race. It returns the instance as decided (nothing
// recorded when decide recorded nothing).
func (r *Repo) RecordInstance(ctx context.Context, id int64, meta eventstore.Metadata,
	decide func(*instance.Instance) error) (*instance.Instance, eventstore.AppendResult, error) {
	var got *instance.Instance
	res, err := r.Update(ctx, instance.Stream(id), meta,
		func() domain.Aggregate { return instance.New() },
		func(a domain.Aggregate) error { got = a.(*instance.Instance); return decide(got) })
	return got, res, err
}

// RecordAppeared records an instance LXD has on serverID under name that
// uivmm does not know: a new id, the name's claim, then
// instance.AppearedExternally owned by owner (the server's owner). When
// the name belongs to a live instance already (uivmm's own, or one
// recorded meanwhile) it records nothing and returns that instance's id
// with appeared false.
func (r *Repo) RecordAppeared(ctx context.Context, serverID, owner int64, name string, snap instance.Snapshot,
	source string, meta eventstore.Metadata, now time.Time) (id int64, appeared bool, err error) {
	if err := instance.ValidateName(name); err != nil {
		return 0, false, err
	}
	if id, err := r.InstanceIDByName(ctx, serverID, name); err != nil || id != 0 {
		return id, false, err
	}
	if id, err = r.NextID(ctx, "instance", meta); err != nil {
		return 0, false, err
	}
	if err := r.claimInstanceName(ctx, serverID, name, id, meta); err != nil {
		if domain.IsKind(err, domain.KindConflict) {
			other, lerr := r.InstanceIDByName(ctx, serverID, name)
			return other, false, lerr
		}
		return 0, false, err
	}
	_, _, err = r.RecordInstance(ctx, id, meta, func(in *instance.Instance) error {
		return in.Appear(id, serverID, owner, name, snap, source, now)
	})
	if err != nil {
		return 0, false, err
	}
	return id, true, nil
}
