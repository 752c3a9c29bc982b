package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
)

// InstanceAction asks for Action on the instance Name of ServerID
// (instance.action): start, stop, stop-force, restart, restart-force,
// freeze, unfreeze or delete. It records instance.ActionRequested and
// returns at once; a reactor asks LXD and records the outcome. Concurrent
// actions on one instance are all recorded, in order (the expected
// revision serialises them), and done in that order.
type InstanceAction struct {
	Envelope
	UserID     int64  `json:"user_id"`
	Privileged bool   `json:"privileged"`
	ServerID   int64  `json:"server_id"`
	Name       string `json:"name"`
	Action     string `json:"action"`
}

// CommandName implements Command.
func (InstanceAction) CommandName() string { return "instance.action" }

// NewInstanceActionHandler builds the handler. It needs d.ServerOwners.
func NewInstanceActionHandler(d Deps) Handler {
	d.mustHave(false)
	if d.ServerOwners == nil {
		panic("commands: NewInstanceActionHandler needs ServerOwners")
	}
	return handler(InstanceAction{}.CommandName(), func(ctx context.Context, c *InstanceAction) (Result, error) {
		if c.ServerID <= 0 {
			return Result{}, domain.Invalid("server_id", domain.DetailFieldRequired)
		}
		if err := instance.ValidateName(c.Name); err != nil {
			return Result{}, err
		}
		if c.Action == "" {
			return Result{}, domain.Invalid("instance_status", domain.DetailFieldRequired)
		}
		if !instance.ValidAction(c.Action) {
			return Result{}, domain.Invalid("instance_status", instance.DetailActionInvalid)
		}
		if _, err := serverFor(ctx, d.ServerOwners, c.UserID, c.Privileged, c.ServerID); err != nil {
			return Result{}, err
		}
		id, err := d.Repo.InstanceIDByName(ctx, c.ServerID, c.Name)
		if err != nil {
			return Result{}, err
		}
		if id == 0 {
			return Result{}, domain.NotFound(instance.DetailNotFound)
		}
		meta := c.Meta()
		meta.Command = CommandActionRequested
		ar, err := d.Repo.Update(ctx, instance.Stream(id), meta,
			func() domain.Aggregate { return instance.New() },
			func(a domain.Aggregate) error {
				return a.(*instance.Instance).RequestAction(c.Action, meta.RequestID, d.now())
			})
		if err != nil {
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: id}, nil
	})
}
