package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// VerifyRecovery is step 2 of user.recovery: it checks a recovery code
// without using it up (the reset that follows needs it).
type VerifyRecovery struct {
	Envelope
	Code string `json:"code"`
}

// CommandName implements Command.
func (VerifyRecovery) CommandName() string { return "user.recoveryVerify" }

// NewVerifyRecoveryHandler builds the handler.
func NewVerifyRecoveryHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(VerifyRecovery{}.CommandName(), func(ctx context.Context, c *VerifyRecovery) (Result, error) {
		if d.Settings.DisableRecovery {
			return Result{}, domain.Forbidden(user.DetailRecoveryDisabled)
		}
		if !secrets.IsCode(c.Code) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		res, err := d.updateUserByCode(ctx, c.Meta(), user.PurposeRecovery, c.Code, func(u *user.User) error {
			return u.VerifyRecovery(secrets.Hash(c.Code), d.now())
		})
		res.ID = 0
		return res, err
	})
}
