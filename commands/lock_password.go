package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/user"
)

// LockPassword locks UserID's password at once (user.passwordLock with
// {true, ""}): password logins are refused until a mailed code unlocks
// it. Locking a locked password records nothing.
type LockPassword struct {
	Envelope
	UserID int64 `json:"user_id"`
}

// CommandName implements Command.
func (LockPassword) CommandName() string { return "user.passwordLock" }

// NewLockPasswordHandler builds the handler.
func NewLockPasswordHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(LockPassword{}.CommandName(), func(ctx context.Context, c *LockPassword) (Result, error) {
		return d.updateUser(ctx, c.Meta(), c.UserID, func(u *user.User) error {
			u.Lock(d.now())
			return nil
		})
	})
}
