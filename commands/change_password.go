package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// ChangePassword sets a new password for UserID (user.passwordChange).
// It is refused when the password is locked or password changes are
// disabled. Password is raw here and hashed before anything is recorded.
type ChangePassword struct {
	Envelope
	UserID         int64  `json:"user_id"`
	Password       string `json:"password"`
	PasswordRepeat string `json:"password_repeat"`
}

// CommandName implements Command.
func (ChangePassword) CommandName() string { return "user.passwordChange" }

// NewChangePasswordHandler builds the handler.
func NewChangePasswordHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(ChangePassword{}.CommandName(), func(ctx context.Context, c *ChangePassword) (Result, error) {
		if d.Settings.DisablePasswordChange {
			return Result{}, domain.Forbidden(user.DetailPasswordChangeDisabled)
		}
		if err := user.ValidatePassword(c.Password, c.PasswordRepeat); err != nil {
			return Result{}, err
		}
		hash, err := secrets.HashPassword(c.Password, d.Settings.PasswordParams)
		if err != nil {
			return Result{}, err
		}
		return d.updateUser(ctx, c.Meta(), c.UserID, func(u *user.User) error {
			return u.ChangePassword(hash, d.now())
		})
	})
}
