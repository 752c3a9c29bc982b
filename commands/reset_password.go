package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// ResetPassword is step 3 of user.recovery: the recovery code sets a new
// password and is used up. Password is raw here and hashed before anything
// is recorded; the code is checked first, so a wrong code costs no hash.
type ResetPassword struct {
	Envelope
	Code           string `json:"code"`
	Password       string `json:"password"`
	PasswordRepeat string `json:"password_repeat"`
}

// CommandName implements Command.
func (ResetPassword) CommandName() string { return "user.recoveryReset" }

// NewResetPasswordHandler builds the handler.
func NewResetPasswordHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(ResetPassword{}.CommandName(), func(ctx context.Context, c *ResetPassword) (Result, error) {
		if d.Settings.DisableRecovery {
			return Result{}, domain.Forbidden(user.DetailRecoveryDisabled)
		}
		if !secrets.IsCode(c.Code) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		codeHash := secrets.Hash(c.Code)
		id, err := d.Users.UserIDByCode(ctx, user.PurposeRecovery, codeHash)
		if err != nil {
			return Result{}, err
		}
		if id == 0 {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		if err := user.ValidatePassword(c.Password, c.PasswordRepeat); err != nil {
			return Result{}, err
		}
		hash, err := secrets.HashPassword(c.Password, d.Settings.PasswordParams)
		if err != nil {
			return Result{}, err
		}
		res, err := d.updateUser(ctx, c.Meta(), id, func(u *user.User) error {
			return u.ResetPassword(codeHash, hash, d.now())
		})
		res.ID = 0
		return res, err
	})
}
