package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

// RequestUnlockCode mails an unlock code to UserID's address
// (user.passwordLock with {false, ""}). It does not unlock anything.
type RequestUnlockCode struct {
	Envelope
	UserID int64 `json:"user_id"`
}

// CommandName implements Command.
func (RequestUnlockCode) CommandName() string { return "user.unlockCodeRequest" }

// NewRequestUnlockCodeHandler builds the handler.
func NewRequestUnlockCodeHandler(d Deps) Handler {
	d.mustHave(true)
	return handler(RequestUnlockCode{}.CommandName(), func(ctx context.Context, c *RequestUnlockCode) (Result, error) {
		return d.issueCode(ctx, c.Meta(), c.UserID, user.PurposeUnlock, func(u *user.User) (string, error) {
			if !u.Locked() {
				return "", domain.Invalid("user_password_locked", user.DetailNotLocked)
			}
			return u.Email(), nil
		})
	})
}
