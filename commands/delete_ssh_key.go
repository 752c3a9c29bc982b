package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/sshkey"
)

// DeleteSSHKey deletes one of UserID's keys (ssh-key.delete) and frees its
// claim, so the same key can be added again. Anyone else's key, an unknown
// key and a deleted key are all "not found".
type DeleteSSHKey struct {
	Envelope
	UserID int64 `json:"user_id"`
	KeyID  int64 `json:"key_id"`
}

// CommandName implements Command.
func (DeleteSSHKey) CommandName() string { return "ssh-key.delete" }

// NewDeleteSSHKeyHandler builds the handler.
func NewDeleteSSHKeyHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(DeleteSSHKey{}.CommandName(), func(ctx context.Context, c *DeleteSSHKey) (Result, error) {
		if c.KeyID <= 0 {
			return Result{}, domain.Invalid("key_id", sshkey.DetailIDEmpty)
		}
		meta := c.Meta()
		ar, err := d.Repo.Update(ctx, sshkey.Stream(c.KeyID), meta,
			func() domain.Aggregate { return sshkey.New() },
			func(a domain.Aggregate) error { return a.(*sshkey.Key).Delete(c.UserID, d.now()) })
		if err != nil {
			return Result{}, err
		}
		// Load again rather than trust the decision: a repeated request
		// decides nothing but must still free the claim.
		k := sshkey.New()
		if _, err := d.Repo.Load(ctx, sshkey.Stream(c.KeyID), k); err != nil {
			return Result{}, err
		}
		if k.UserID() != c.UserID {
			return Result{}, domain.NotFound(sshkey.DetailNotFound)
		}
		if err := d.Repo.Release(ctx, sshkey.ClaimNamespace, sshkey.ClaimKey(c.UserID, k.Fingerprint()), c.KeyID, meta); err != nil {
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: c.KeyID}, nil
	})
}
