package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
)

// BeginCredentialLogin is user.assertionGet: it returns the WebAuthn
// request options for Login (a login or an e-mail address) in
// Result.Values["options"], listing the account's passkeys in
// allowCredentials, and keeps the challenge in this process.
type BeginCredentialLogin struct {
	Envelope
	Login string `json:"login"`
}

// CommandName implements Command.
func (BeginCredentialLogin) CommandName() string { return "credential.beginLogin" }

// NewBeginCredentialLoginHandler builds the handler.
func NewBeginCredentialLoginHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(BeginCredentialLogin{}.CommandName(), func(ctx context.Context, c *BeginCredentialLogin) (Result, error) {
		p, u, creds, err := d.passkeyLogin(ctx, c.Login)
		if err != nil {
			return Result{}, err
		}
		if len(creds) == 0 {
			return Result{}, domain.Invalid("user_login", DetailNoPasskeys)
		}
		options, err := p.svc.BeginLogin(passkeyUser(u), toPasskeys(creds))
		if err != nil {
			return Result{}, passkeyError(err)
		}
		return Result{ID: u.ID(), Values: map[string]string{"options": string(options)}}, nil
	})
}
