package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
)

// DeleteCredential deletes one of UserID's passkeys (user.credentialDelete)
// and frees its claim, so the authenticator can be registered again.
// Anyone else's credential, an unknown one and a deleted one are all "not
// found".
type DeleteCredential struct {
	Envelope
	UserID       int64 `json:"user_id"`
	CredentialID int64 `json:"credential_id"`
}

// CommandName implements Command.
func (DeleteCredential) CommandName() string { return "credential.delete" }

// NewDeleteCredentialHandler builds the handler. It works with passkeys
// disabled too, so keys registered before can still be removed.
func NewDeleteCredentialHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(DeleteCredential{}.CommandName(), func(ctx context.Context, c *DeleteCredential) (Result, error) {
		if c.CredentialID <= 0 {
			return Result{}, domain.NotFound(credential.DetailNotFound)
		}
		meta := c.Meta()
		ar, err := d.Repo.Update(ctx, credential.Stream(c.CredentialID), meta,
			func() domain.Aggregate { return credential.New() },
			func(a domain.Aggregate) error { return a.(*credential.Credential).Delete(c.UserID, d.now()) })
		if err != nil {
			return Result{}, err
		}
		// Load again rather than trust the decision: a repeated request
		// decides nothing but must still free the claim.
		cred := credential.New()
		if _, err := d.Repo.Load(ctx, credential.Stream(c.CredentialID), cred); err != nil {
			return Result{}, err
		}
		if cred.UserID() != c.UserID {
			return Result{}, domain.NotFound(credential.DetailNotFound)
		}
		if err := d.Repo.Release(ctx, credential.ClaimNamespace, credential.ClaimKey(cred.KeyID()), c.CredentialID, meta); err != nil {
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: c.CredentialID}, nil
	})
}
