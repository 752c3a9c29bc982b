package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/passkey"
)

// UseCredential is user.assertionVerify: it verifies the browser's
// assertion (Response, as the browser sent it) for Login against the
// challenge of user.assertionGet and the account's stored credentials,
// records the new signature counter and issues a login token (in
// Result.Values["token"], as LogIn does).
//
// The counter is appended with the revision the credential was loaded at
// and never retried: of two logins racing on one credential, one wins and
// the other is refused.
type UseCredential struct {
	Envelope
	Login    string          `json:"login"`
	Response json.RawMessage `json:"response"`
}

// CommandName implements Command.
func (UseCredential) CommandName() string { return "credential.use" }

// NewUseCredentialHandler builds the handler.
func NewUseCredentialHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(UseCredential{}.CommandName(), func(ctx context.Context, c *UseCredential) (Result, error) {
		p, u, creds, err := d.passkeyLogin(ctx, c.Login)
		if err != nil {
			return Result{}, err
		}
		res, err := p.svc.FinishLogin(u.Login(), passkeyUser(u), toPasskeys(creds), c.Response)
		if err != nil {
			return Result{}, passkeyError(err)
		}
		if err := u.CanLogIn(); err != nil {
			return Result{}, err
		}
		if err := d.recordUse(ctx, c.Meta(), creds, res); err != nil {
			return Result{}, err
		}
		return d.issueToken(ctx, c.Meta(), u.ID(), token.TypeLogin, d.Settings.LoginTokenLifetime)
	})
}

// recordUse appends the new counter to the credential that signed, guarded
// by the revision it was loaded at.
func (d *Deps) recordUse(ctx context.Context, meta eventMeta, creds []*credential.Credential, res passkey.LoginResult) error {
	keyID := base64.RawURLEncoding.EncodeToString(res.CredentialID)
	for _, cred := range creds {
		if cred.KeyID() != keyID {
			continue
		}
		if err := cred.Use(res.NewSignCount, d.now()); err != nil {
			return err
		}
		_, err := d.Repo.Save(ctx, credential.Stream(cred.ID()), cred, meta)
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			return &domain.Error{Kind: domain.KindConflict, Detail: DetailPasskeyRace, Err: err}
		}
		return err
	}
	return domain.Invalid("", credential.DetailUnknown)
}
