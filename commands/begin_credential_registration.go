package commands

import (
	"context"
	"errors"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

// BeginCredentialRegistration is step 1 of user.credentialMake: it returns
// the WebAuthn creation options (Result.Values["options"], JSON) and keeps
// the challenge in this process.
//
// With Register, it starts a passkey sign-up: Login and Email must be
// free, and the account's final id is reserved now because it becomes the
// authenticator's user handle. Without it, it starts adding a key to
// UserID's account and excludes the keys the account already has.
type BeginCredentialRegistration struct {
	Envelope
	UserID      int64  `json:"user_id"`
	Register    bool   `json:"register"`
	Login       string `json:"login"`
	Email       string `json:"email"`
	Attestation string `json:"attestation"`
	Attachment  string `json:"attachment"`
}

// CommandName implements Command.
func (BeginCredentialRegistration) CommandName() string { return "credential.beginRegistration" }

// NewBeginCredentialRegistrationHandler builds the handler.
func NewBeginCredentialRegistrationHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(BeginCredentialRegistration{}.CommandName(), func(ctx context.Context, c *BeginCredentialRegistration) (Result, error) {
		p, err := d.passkeys()
		if err != nil {
			return Result{}, err
		}
		if c.Register {
			return d.beginSignup(ctx, p, c)
		}
		u, err := d.loadUser(ctx, c.UserID)
		if err != nil {
			return Result{}, err
		}
		existing, err := p.liveCredentials(ctx, d.Repo, u.ID())
		if err != nil {
			return Result{}, err
		}
		options, err := p.svc.BeginRegistration(passkeyUser(u), toPasskeys(existing), c.Attestation, c.Attachment)
		if err != nil {
			return Result{}, passkeyError(err)
		}
		p.takeSignup(u.Login()) // the challenge just replaced any sign-up's
		return Result{Values: map[string]string{"options": string(options)}}, nil
	})
}

// beginSignup checks that the login and e-mail are free, reserves the
// account's id (the same one again while a reservation for the login is
// pending) and begins the ceremony for it. The claims are taken at step 2.
func (d *Deps) beginSignup(ctx context.Context, p *Passkeys, c *BeginCredentialRegistration) (Result, error) {
	if d.Settings.DisableRegistration {
		return Result{}, domain.Forbidden("registration is disabled")
	}
	if err := errors.Join(user.ValidateLogin(c.Login), user.ValidateEmail(c.Email)); err != nil {
		return Result{}, firstError(err)
	}
	for _, key := range []string{c.Login, c.Email} {
		id, err := d.Users.UserIDByLogin(ctx, key)
		if err != nil {
			return Result{}, err
		}
		if id != 0 {
			return Result{}, domain.Conflict(user.DetailOccupied)
		}
	}
	id, ok := p.reservedID(c.Login)
	if !ok {
		var err error
		if id, err = d.Repo.NextID(ctx, "user", c.Meta()); err != nil {
			return Result{}, err
		}
	}
	options, err := p.svc.BeginRegistration(passkeyUserOf(id, c.Login), nil, c.Attestation, c.Attachment)
	if err != nil {
		return Result{}, passkeyError(err)
	}
	p.putSignup(c.Login, id, c.Email)
	return Result{Values: map[string]string{"options": string(options)}}, nil
}

// loadUser loads user id, or fails with "user not found".
func (d *Deps) loadUser(ctx context.Context, id int64) (*user.User, error) {
	u := user.New()
	if id > 0 {
		if _, err := d.Repo.Load(ctx, user.Stream(id), u); err != nil {
			return nil, err
		}
	}
	if !u.Exists() {
		return nil, domain.NotFound(domain.DetailUserNotFound)
	}
	return u, nil
}
