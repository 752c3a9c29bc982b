package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain/sshkey"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// NewSSHKeysProjector keeps readmodels.SSHKeys: a row per live key.
func NewSSHKeysProjector() Projector {
	return &funcProjector{model: readmodels.SSHKeys, appliers: map[string]applier{
		sshkey.TypeAdded: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *sshkey.Added) error {
			return readmodels.InsertSSHKey(ctx, tx, readmodels.SSHKey{ID: e.KeyID, UserID: e.UserID, Name: e.Name,
				Algorithm: e.Algorithm, Public: e.Public, Fingerprint: e.Fingerprint, AddedAt: e.At})
		}),
		sshkey.TypeDeleted: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *sshkey.Deleted) error {
			return readmodels.DeleteSSHKey(ctx, tx, e.KeyID)
		}),
	}}
}
