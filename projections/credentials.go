package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// NewCredentialsProjector keeps readmodels.Credentials: a row per live
// passkey.
func NewCredentialsProjector() Projector {
	return &funcProjector{model: readmodels.Credentials, appliers: map[string]applier{
		credential.TypeRegistered: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *credential.Registered) error {
			return readmodels.InsertCredential(ctx, tx, readmodels.Credential{ID: e.CredentialID, UserID: e.UserID,
				KeyID: e.KeyID, Name: e.Name, SignCount: e.SignCount, AddedAt: e.At})
		}),
		credential.TypeUsed: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *credential.Used) error {
			return readmodels.MarkCredentialUsed(ctx, tx, streamID(rec.Stream), e.SignCount, e.At)
		}),
		credential.TypeDeleted: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *credential.Deleted) error {
			return readmodels.DeleteCredential(ctx, tx, streamID(rec.Stream))
		}),
	}}
}
