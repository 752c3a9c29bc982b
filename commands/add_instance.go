package commands

import (
	"context"
	"errors"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
)

// Metadata command names of the instance events. The event stream's
// message type is the command name, and the original front-end fires its
// instance.add / instance.action callback on the first message of that
// type with its request id: so only the outcome that ends a request
// carries "instance.add" or "instance.action"; the request itself and the
// intermediate Created carry these.
const (
	CommandInstanceRequested = "instance.add:requested"
	CommandInstanceCreated   = "instance.add:created"
	CommandActionRequested   = "instance.action:requested"
)

// AddInstance asks for a new instance on ServerID (instance.add). The
// caller must own the server or be Privileged (group < 3). It records
// instance.Requested and returns at once; a reactor creates and starts the
// instance and records the outcome.
type AddInstance struct {
	Envelope
	UserID     int64         `json:"user_id"`
	Privileged bool          `json:"privileged"`
	ServerID   int64         `json:"server_id"`
	Spec       instance.Spec `json:"spec"`
}

// CommandName implements Command.
func (AddInstance) CommandName() string { return "instance.add" }

// NewAddInstanceHandler builds the handler. It needs d.ServerOwners.
func NewAddInstanceHandler(d Deps) Handler {
	d.mustHave(false)
	if d.ServerOwners == nil {
		panic("commands: NewAddInstanceHandler needs ServerOwners")
	}
	return handler(AddInstance{}.CommandName(), func(ctx context.Context, c *AddInstance) (Result, error) {
		if c.ServerID <= 0 {
			return Result{}, domain.Invalid("server_id", domain.DetailFieldRequired)
		}
		spec, err := c.Spec.Check()
		if err != nil {
			return Result{}, err
		}
		if _, err := serverFor(ctx, d.ServerOwners, c.UserID, c.Privileged, c.ServerID); err != nil {
			return Result{}, err
		}
		meta := c.Meta()
		meta.Command = CommandInstanceRequested
		id, err := d.Repo.NextID(ctx, "instance", meta)
		if err != nil {
			return Result{}, err
		}
		if err := d.Repo.claimInstanceName(ctx, c.ServerID, spec.Name, id, meta); err != nil {
			return Result{}, err
		}
		ar, err := d.Repo.Update(ctx, instance.Stream(id), meta,
			func() domain.Aggregate { return instance.New() },
			func(a domain.Aggregate) error {
				return a.(*instance.Instance).Request(id, c.ServerID, c.UserID, spec, meta.RequestID, d.now())
			})
		if err != nil {
			key := instance.ClaimKey(c.ServerID, spec.Name)
			if rerr := d.Repo.Release(context.WithoutCancel(ctx), instance.ClaimNamespace, key, id, meta); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: id}, nil
	})
}
