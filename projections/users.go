package projections

import (
	"context"

	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

func userID(rec eventstore.RecordedEvent) int64 { return streamID(rec.Stream) }

// NewUsersProjector keeps readmodels.Users.
func NewUsersProjector() Projector {
	return &funcProjector{model: readmodels.Users, appliers: map[string]applier{
		user.TypeRegistered: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.Registered) error {
			return readmodels.InsertUser(ctx, tx, readmodels.User{ID: e.UserID, Login: e.Login, Email: e.Email, Group: e.Group,
				Active: e.Active, HasPassword: e.PasswordHash != "", CreatedAt: e.At, UpdatedAt: e.At})
		}),
		user.TypeCodeIssued: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.CodeIssued) error {
			return readmodels.PutCode(ctx, tx, userID(rec), e.Purpose, e.CodeHash, e.ExpiresAt)
		}),
		user.TypeActivated: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.Activated) error {
			return firstErr(readmodels.DeleteCode(ctx, tx, userID(rec), user.PurposeRegister),
				readmodels.SetUserFlag(ctx, tx, userID(rec), "active", true, e.At))
		}),
		user.TypePasswordChanged: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.PasswordChanged) error {
			if e.CodeHash != "" {
				if err := readmodels.DeleteCode(ctx, tx, userID(rec), user.PurposeRecovery); err != nil {
					return err
				}
			}
			return readmodels.SetUserFlag(ctx, tx, userID(rec), "has_password", true, e.At)
		}),
		user.TypePasswordLocked: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.PasswordLocked) error {
			return readmodels.SetUserFlag(ctx, tx, userID(rec), "locked", true, e.At)
		}),
		user.TypePasswordUnlocked: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.PasswordUnlocked) error {
			return firstErr(readmodels.DeleteCode(ctx, tx, userID(rec), user.PurposeUnlock),
				readmodels.SetUserFlag(ctx, tx, userID(rec), "locked", false, e.At))
		}),
		user.TypeEmailChanged: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *user.EmailChanged) error {
			return firstErr(readmodels.DeleteCode(ctx, tx, userID(rec), user.PurposeEmail),
				readmodels.SetUserEmail(ctx, tx, userID(rec), e.Email, e.At))
		}),
	}}
}

// NewTokensProjector keeps readmodels.Tokens.
func NewTokensProjector() Projector {
	return &funcProjector{model: readmodels.Tokens, appliers: map[string]applier{
		token.TypeIssued: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *token.Issued) error {
			return readmodels.InsertToken(ctx, tx, readmodels.Token{ID: e.TokenID, UserID: e.UserID, Type: e.Kind,
				Name: e.Name, Hash: e.Hash, StartAt: e.StartAt, ExpiresAt: e.ExpiresAt})
		}),
		token.TypeRevoked: on(func(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, e *token.Revoked) error {
			return readmodels.RevokeToken(ctx, tx, streamID(rec.Stream), e.At)
		}),
	}}
}
