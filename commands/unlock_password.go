package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// UnlockPassword unlocks UserID's password with the mailed unlock code
// (user.passwordLock with {false, "<code>"}). Only a code mailed to this
// very user works.
type UnlockPassword struct {
	Envelope
	UserID int64  `json:"user_id"`
	Code   string `json:"code"`
}

// CommandName implements Command.
func (UnlockPassword) CommandName() string { return "user.passwordUnlock" }

// NewUnlockPasswordHandler builds the handler.
func NewUnlockPasswordHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(UnlockPassword{}.CommandName(), func(ctx context.Context, c *UnlockPassword) (Result, error) {
		if !secrets.IsCode(c.Code) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		return d.updateUser(ctx, c.Meta(), c.UserID, func(u *user.User) error {
			return u.Unlock(secrets.Hash(c.Code), d.now())
		})
	})
}
