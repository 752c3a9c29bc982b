package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/secrets"
)

// RegisterUser is step 1 of user.register: it creates an inactive account
// and mails the activation code. Password is raw here and hashed before
// anything is recorded.
type RegisterUser struct {
	Envelope
	Login          string `json:"login"`
	Email          string `json:"email"`
	Password       string `json:"password"`
	PasswordRepeat string `json:"password_repeat"`
}

// CommandName implements Command.
func (RegisterUser) CommandName() string { return "user.register" }

// NewRegisterUserHandler builds the handler.
func NewRegisterUserHandler(d Deps) Handler {
	d.mustHave(true)
	return handler(RegisterUser{}.CommandName(), func(ctx context.Context, c *RegisterUser) (Result, error) {
		if d.Settings.DisableRegistration {
			return Result{}, domain.Forbidden("registration is disabled")
		}
		if err := errors.Join(user.ValidateLogin(c.Login), user.ValidateEmail(c.Email),
			user.ValidatePassword(c.Password, c.PasswordRepeat)); err != nil {
			return Result{}, firstError(err)
		}
		hash, err := secrets.HashPassword(c.Password, d.Settings.PasswordParams)
		if err != nil {
			return Result{}, err
		}
		return createUser(ctx, &d, c.Meta(), user.Registration{Login: c.Login, Email: c.Email,
			Group: user.GroupSelfRegistered, PasswordHash: hash, Via: "self"})
	})
}

// createUser claims the login and e-mail, mails an activation code unless
// the account is created active, and records the user. On any failure the
// claims are released, so nothing is left half-registered. reg.ID, when
// set, is an id reserved earlier (a passkey sign-up); otherwise one is
// reserved here.
func createUser(ctx context.Context, d *Deps, meta eventstore.Metadata, reg user.Registration) (res Result, err error) {
	id := reg.ID
	if id == 0 {
		if id, err = d.Repo.NextID(ctx, "user", meta); err != nil {
			return Result{}, err
		}
	}
	reg.ID = id
	claimed := []string{}
	defer func() {
		if err != nil {
			for _, ns := range claimed {
				key := reg.Login
				if ns == "email" {
					key = reg.Email
				}
				if rerr := d.Repo.Release(context.WithoutCancel(ctx), ns, key, id, meta); rerr != nil {
					err = errors.Join(err, fmt.Errorf("releasing %s claim: %w", ns, rerr))
				}
			}
		}
	}()
	if err = d.Repo.Claim(ctx, "login", reg.Login, id, user.DetailOccupied, meta); err != nil {
		return Result{}, err
	}
	claimed = append(claimed, "login")
	if err = d.Repo.Claim(ctx, "email", reg.Email, id, user.DetailOccupied, meta); err != nil {
		return Result{}, err
	}
	claimed = append(claimed, "email")
	now := d.now()
	u := user.New()
	recs, err := d.Repo.Load(ctx, user.Stream(id), u)
	if err != nil {
		return Result{}, err
	}
	if done, ok := earlierOutcome(recs, meta); ok {
		claimed = nil
		return Result{Position: done.Position, ID: id}, nil
	}
	if err = u.Register(reg, now); err != nil {
		return Result{}, err
	}
	if !reg.Active {
		code := secrets.NewCode()
		u.IssueCode(user.PurposeRegister, secrets.Hash(code), reg.Email, now.Add(d.Settings.CodeLifetime), now)
		if err = sendCode(ctx, d.Mailer, reg.Email, user.PurposeRegister, code); err != nil {
			return Result{}, err
		}
	}
	ar, err := d.Repo.Save(ctx, user.Stream(id), u, meta)
	if err != nil {
		return Result{}, err
	}
	return Result{Position: ar.Position, ID: id}, nil
}

// firstError returns the first error of a join, so a 400 names one field.
func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}
