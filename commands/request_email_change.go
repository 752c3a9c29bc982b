package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

// RequestEmailChange is step 1 of user.emailChange: it mails a code to
// the NEW address Email. An address another user holds is refused at once
// (the claim in step 2 is what really decides).
type RequestEmailChange struct {
	Envelope
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
}

// CommandName implements Command.
func (RequestEmailChange) CommandName() string { return "user.emailChangeRequest" }

// NewRequestEmailChangeHandler builds the handler.
func NewRequestEmailChangeHandler(d Deps) Handler {
	d.mustHave(true)
	return handler(RequestEmailChange{}.CommandName(), func(ctx context.Context, c *RequestEmailChange) (Result, error) {
		if err := user.ValidateEmail(c.Email); err != nil {
			return Result{}, err
		}
		holder, err := d.Users.UserIDByLogin(ctx, c.Email)
		if err != nil {
			return Result{}, err
		}
		if holder != 0 && holder != c.UserID {
			return Result{}, domain.Conflict(user.DetailOccupied)
		}
		return d.issueCode(ctx, c.Meta(), c.UserID, user.PurposeEmail, func(u *user.User) (string, error) {
			if u.Email() == c.Email {
				return "", domain.Invalid("user_email", user.DetailSameEmail)
			}
			return c.Email, nil
		})
	})
}
