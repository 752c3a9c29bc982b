package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/passkey"
)

// RegisterCredential is step 2 of user.credentialMake: it verifies the
// browser's attestation (Response, as the browser sent it) against the
// challenge of step 1 and records the credential. A credential id may
// belong to one account only (a claim on credential.ClaimKey).
//
// With Register, it finishes a passkey sign-up: it creates the inactive,
// password-less account reserved at step 1 (claiming Login and the e-mail
// of step 1, and mailing the activation code) and records the credential
// for it. Without it, the credential is added to UserID's account.
type RegisterCredential struct {
	Envelope
	UserID   int64           `json:"user_id"`
	Register bool            `json:"register"`
	Login    string          `json:"login"`
	Email    string          `json:"email"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

// CommandName implements Command.
func (RegisterCredential) CommandName() string { return "credential.register" }

// NewRegisterCredentialHandler builds the handler.
func NewRegisterCredentialHandler(d Deps) Handler {
	d.mustHave(true)
	return handler(RegisterCredential{}.CommandName(), func(ctx context.Context, c *RegisterCredential) (Result, error) {
		p, err := d.passkeys()
		if err != nil {
			return Result{}, err
		}
		if c.Register {
			return d.finishSignup(ctx, p, c)
		}
		u, err := d.loadUser(ctx, c.UserID)
		if err != nil {
			return Result{}, err
		}
		if _, ok := p.takeSignup(u.Login()); ok {
			// The pending challenge is a sign-up's, begun before this
			// account existed: it cannot add a key to this account.
			return Result{}, passkeyError(passkey.ErrNoChallenge)
		}
		cred, err := p.svc.FinishRegistration(u.Login(), c.Response)
		if err != nil {
			return Result{}, passkeyError(err)
		}
		return d.addCredential(ctx, c, u.ID(), cred, nil)
	})
}

// finishSignup verifies the attestation for the id reserved at step 1,
// then creates the account and records the credential.
func (d *Deps) finishSignup(ctx context.Context, p *Passkeys, c *RegisterCredential) (Result, error) {
	if d.Settings.DisableRegistration {
		return Result{}, domain.Forbidden("registration is disabled")
	}
	s, ok := p.takeSignup(c.Login)
	if !ok {
		return Result{}, passkeyError(passkey.ErrNoChallenge)
	}
	if c.Email != "" && !strings.EqualFold(c.Email, s.email) {
		return Result{}, domain.Invalid("user_email", DetailPasskeyEmail)
	}
	cred, err := p.svc.FinishRegistration(c.Login, c.Response)
	if err != nil {
		return Result{}, passkeyError(err)
	}
	return d.addCredential(ctx, c, s.userID, cred, func() error {
		_, err := createUser(ctx, d, c.Meta(), user.Registration{ID: s.userID, Login: c.Login, Email: s.email,
			Group: user.GroupSelfRegistered, PasswordHash: "", Via: "passkey"})
		return err
	})
}

// addCredential reserves an id for cred, claims its credential id, runs
// before (when not nil) and records the credential for userID. Any
// failure after the claim releases it.
func (d *Deps) addCredential(ctx context.Context, c *RegisterCredential, userID int64, cred passkey.Credential, before func() error) (res Result, err error) {
	meta := c.Meta()
	id, err := d.Repo.NextID(ctx, "credential", meta)
	if err != nil {
		return Result{}, err
	}
	keyID := base64.RawURLEncoding.EncodeToString(cred.ID)
	claim := credential.ClaimKey(keyID)
	if err := d.claimCredential(ctx, claim, id, meta); err != nil {
		return Result{}, err
	}
	defer func() {
		if err != nil {
			if rerr := d.Repo.Release(context.WithoutCancel(ctx), credential.ClaimNamespace, claim, id, meta); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}()
	if before != nil {
		if err := before(); err != nil {
			return Result{}, err
		}
	}
	ar, err := d.Repo.Update(ctx, credential.Stream(id), meta,
		func() domain.Aggregate { return credential.New() },
		func(a domain.Aggregate) error {
			return a.(*credential.Credential).Register(credential.Registration{ID: id, UserID: userID, KeyID: keyID,
				PublicKey: cred.PublicKey, AAGUID: cred.AAGUID, SignCount: cred.SignCount,
				AttestationType: cred.AttestationType, Transports: cred.Transports,
				BackupEligible: cred.BackupEligible, Name: c.Name}, d.now())
		})
	if err != nil {
		return Result{}, err
	}
	return Result{Position: ar.Position, ID: id}, nil
}

// claimCredential claims key for credential id. A claim still held by a
// deleted credential (its delete succeeded but freeing the claim did not)
// is taken over; one held by a live credential, or by one still being
// registered, is a conflict.
func (d *Deps) claimCredential(ctx context.Context, key string, id int64, meta eventMeta) error {
	err := d.Repo.Claim(ctx, credential.ClaimNamespace, key, id, credential.DetailDuplicate, meta)
	if !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	meta.Command += ":takeover"
	_, err = d.Repo.Update(ctx, unique.ClaimStream(credential.ClaimNamespace, key), meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error {
			cl := a.(*unique.Claim)
			if owner := cl.Owner(); owner != 0 && owner != id {
				holder := credential.New()
				if _, err := d.Repo.Load(ctx, credential.Stream(owner), holder); err != nil {
					return err
				}
				if !holder.Deleted() {
					return domain.Conflict(credential.DetailDuplicate)
				}
				cl.Release(owner)
			}
			return cl.Take(id, credential.DetailDuplicate)
		})
	return err
}
