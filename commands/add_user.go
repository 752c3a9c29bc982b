package commands

import (
	"context"
	"errors"
	"strconv"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// AddUser creates an active user directly (the `uivmm user add` CLI):
// no code is mailed.
type AddUser struct {
	Envelope
	Login    string `json:"login"`
	Email    string `json:"email"`
	Group    int    `json:"group"`
	Password string `json:"password"`
}

// CommandName implements Command.
func (AddUser) CommandName() string { return "user.add" }

// NewAddUserHandler builds the handler.
func NewAddUserHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(AddUser{}.CommandName(), func(ctx context.Context, c *AddUser) (Result, error) {
		return AddUserNow(ctx, d, c)
	})
}

// AddUserNow runs AddUser directly, without a bus: the CLI uses it to write
// to the store while a server may be running.
func AddUserNow(ctx context.Context, d Deps, c *AddUser) (Result, error) {
	d.mustHave(false)
	if err := errors.Join(user.ValidateLogin(c.Login), user.ValidateEmail(c.Email),
		user.ValidatePassword(c.Password, c.Password)); err != nil {
		return Result{}, firstError(err)
	}
	if c.Group < 1 || c.Group > 1000 {
		return Result{}, domain.Invalid("group", "the group must be between 1 and 1000")
	}
	hash, err := secrets.HashPassword(c.Password, d.Settings.PasswordParams)
	if err != nil {
		return Result{}, err
	}
	return createUser(ctx, &d, c.Meta(), user.Registration{Login: c.Login, Email: c.Email,
		Group: c.Group, PasswordHash: hash, Active: true, Via: "cli"})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
