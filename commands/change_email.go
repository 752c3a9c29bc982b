package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// ChangeEmail is step 2 of user.emailChange: the code mailed to the new
// address applies it. The new address is claimed first (409 when someone
// took it meanwhile), then the change is recorded, then the old address's
// claim is freed. Email, when set, must be the address the code went to.
type ChangeEmail struct {
	Envelope
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
	Code   string `json:"code"`
}

// CommandName implements Command.
func (ChangeEmail) CommandName() string { return "user.emailChange" }

// NewChangeEmailHandler builds the handler.
func NewChangeEmailHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(ChangeEmail{}.CommandName(), func(ctx context.Context, c *ChangeEmail) (res Result, err error) {
		if !secrets.IsCode(c.Code) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		hash, meta := secrets.Hash(c.Code), c.Meta()
		u := user.New()
		if _, err := d.Repo.Load(ctx, user.Stream(c.UserID), u); err != nil {
			return Result{}, err
		}
		if !u.Exists() {
			return Result{}, domain.NotFound(domain.DetailUserNotFound)
		}
		if err := u.CheckCode(user.PurposeEmail, hash, d.now()); err != nil {
			return Result{}, err
		}
		oldEmail, newEmail := u.Email(), u.PendingEmail()
		if c.Email != "" && !strings.EqualFold(c.Email, newEmail) {
			return Result{}, domain.Invalid("user_code", user.DetailInvalidCode)
		}
		// A change of case only keeps the same (case-insensitive) claim.
		sameClaim := strings.EqualFold(oldEmail, newEmail)
		if !sameClaim {
			if err := d.Repo.Claim(ctx, "email", newEmail, c.UserID, user.DetailOccupied, meta); err != nil {
				return Result{}, err
			}
		}
		res, err = d.updateUser(ctx, meta, c.UserID, func(u *user.User) error {
			_, err := u.ChangeEmail(hash, d.now())
			return err
		})
		if sameClaim {
			return res, err
		}
		if err != nil {
			if rerr := d.Repo.Release(context.WithoutCancel(ctx), "email", newEmail, c.UserID, meta); rerr != nil {
				err = errors.Join(err, fmt.Errorf("releasing the new address: %w", rerr))
			}
			return Result{}, err
		}
		if err := d.Repo.Release(ctx, "email", oldEmail, c.UserID, meta); err != nil {
			return Result{}, fmt.Errorf("e-mail of user %d changed, but releasing the old address: %w", c.UserID, err)
		}
		return res, nil
	})
}
