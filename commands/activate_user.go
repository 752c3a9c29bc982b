package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// ActivateUser is step 2 of user.register: the mailed code activates the
// account it was sent for.
type ActivateUser struct {
	Envelope
	Code string `json:"code"`
}

// CommandName implements Command.
func (ActivateUser) CommandName() string { return "user.activate" }

// NewActivateUserHandler builds the handler.
func NewActivateUserHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(ActivateUser{}.CommandName(), func(ctx context.Context, c *ActivateUser) (Result, error) {
		if !secrets.IsCode(c.Code) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		return d.updateUserByCode(ctx, c.Meta(), user.PurposeRegister, c.Code, func(u *user.User) error {
			return u.Activate(secrets.Hash(c.Code), d.now())
		})
	})
}

// updateUserByCode finds the user a code was mailed to and runs decide on
// that user.
func (d *Deps) updateUserByCode(ctx context.Context, meta eventMeta, purpose, code string, decide func(*user.User) error) (Result, error) {
	id, err := d.Users.UserIDByCode(ctx, purpose, secrets.Hash(code))
	if err != nil {
		return Result{}, err
	}
	if id == 0 {
		return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
	}
	return d.updateUser(ctx, meta, id, decide)
}

// updateUser loads user id, runs decide and saves.
func (d *Deps) updateUser(ctx context.Context, meta eventMeta, id int64, decide func(*user.User) error) (Result, error) {
	ar, err := d.Repo.Update(ctx, user.Stream(id), meta,
		func() domain.Aggregate { return user.New() },
		func(a domain.Aggregate) error {
			u := a.(*user.User)
			if !u.Exists() {
				return domain.NotFound(domain.DetailUserNotFound)
			}
			return decide(u)
		})
	if err != nil {
		return Result{}, err
	}
	return Result{Position: ar.Position, ID: id}, nil
}
