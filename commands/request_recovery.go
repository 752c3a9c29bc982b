package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

// RequestRecovery is step 1 of user.recovery: it mails a recovery code to
// the account registered with Email. An unknown address succeeds too and
// records nothing, so the answer does not tell which addresses have
// accounts.
type RequestRecovery struct {
	Envelope
	Email string `json:"email"`
}

// CommandName implements Command.
func (RequestRecovery) CommandName() string { return "user.recoveryRequest" }

// NewRequestRecoveryHandler builds the handler.
func NewRequestRecoveryHandler(d Deps) Handler {
	d.mustHave(true)
	return handler(RequestRecovery{}.CommandName(), func(ctx context.Context, c *RequestRecovery) (Result, error) {
		if d.Settings.DisableRecovery {
			return Result{}, domain.Forbidden(user.DetailRecoveryDisabled)
		}
		if err := user.ValidateEmail(c.Email); err != nil {
			return Result{}, err
		}
		id, err := d.Users.UserIDByLogin(ctx, c.Email)
		if err != nil || id == 0 {
			return Result{}, err
		}
		res, err := d.issueCode(ctx, c.Meta(), id, user.PurposeRecovery, func(u *user.User) (string, error) {
			return u.Email(), nil
		})
		res.ID = 0 // never tell an anonymous caller whose account this is
		return res, err
	})
}
