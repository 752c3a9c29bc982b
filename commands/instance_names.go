package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
)

// ServerOwnerLookup answers who owns a managed server. It is implemented
// by the servers read model.
type ServerOwnerLookup interface {
	// ServerOwner returns the owner of server id; ok is false when there
	// is no such server.
	ServerOwner(ctx context.Context, serverID int64) (owner int64, ok bool, err error)
}

// serverFor checks that userID may use serverID (its owner, or a
// privileged user) and returns the owner. Anyone else's server, and an
// unknown one, is "not found".
func serverFor(ctx context.Context, servers ServerOwnerLookup, userID int64, privileged bool, serverID int64) (int64, error) {
	if serverID <= 0 {
		return 0, domain.Invalid("server_id", domain.DetailFieldRequired)
	}
	owner, ok, err := servers.ServerOwner(ctx, serverID)
	if err != nil {
		return 0, err
	}
	if !ok || (owner != userID && !privileged) {
		return 0, domain.NotFound(instance.DetailServerNotFound)
	}
	return owner, nil
}

// InstanceIDByName returns the id of the live instance called name on
// serverID, 0 when there is none. It reads the name's claim, so it is
// exact even while the read models lag behind.
func (r *Repo) InstanceIDByName(ctx context.Context, serverID int64, name string) (int64, error) {
	key := instance.ClaimKey(serverID, name)
	c := unique.NewClaim(key)
	if _, err := r.Load(ctx, unique.ClaimStream(instance.ClaimNamespace, key), c); err != nil {
		return 0, err
	}
	if c.Owner() == 0 {
		return 0, nil
	}
	in, err := r.LoadInstance(ctx, c.Owner())
	if err != nil || in.Gone() || in.Name() != name {
		return 0, err
	}
	return c.Owner(), nil
}

// LoadInstance folds instance id's stream; an unknown id gives an empty
// instance (ID 0).
func (r *Repo) LoadInstance(ctx context.Context, id int64) (*instance.Instance, error) {
	in := instance.New()
	_, err := r.Load(ctx, instance.Stream(id), in)
	return in, err
}

// claimInstanceName claims (serverID, name) for instance id. A claim
// still held by a deleted or vanished instance (its end was recorded but
// freeing the claim was not) is taken over; a claim held by a live
// instance, or by one still being recorded, is a conflict.
func (r *Repo) claimInstanceName(ctx context.Context, serverID int64, name string, id int64, meta eventstore.Metadata) error {
	key := instance.ClaimKey(serverID, name)
	err := r.Claim(ctx, instance.ClaimNamespace, key, id, instance.DetailDuplicate, meta)
	if !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	meta.Command += ":takeover"
	_, err = r.Update(ctx, unique.ClaimStream(instance.ClaimNamespace, key), meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error {
			c := a.(*unique.Claim)
			if owner := c.Owner(); owner != 0 && owner != id {
				holder, err := r.LoadInstance(ctx, owner)
				if err != nil {
					return err
				}
				if holder.ID() == 0 || !holder.Gone() {
					return domain.Conflict(instance.DetailDuplicate)
				}
				c.Release(owner)
			}
			return c.Take(id, instance.DetailDuplicate)
		})
	return err
}

// ReleaseInstanceName frees the name of a deleted or vanished instance.
func (r *Repo) ReleaseInstanceName(ctx context.Context, in *instance.Instance, meta eventstore.Metadata) error {
	if !in.Gone() {
		return nil
	}
	return r.Release(ctx, instance.ClaimNamespace, instance.ClaimKey(in.ServerID(), in.Name()), in.ID(), meta)
}
