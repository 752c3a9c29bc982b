package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
)

// RevokeToken revokes one of UserID's tokens (user.logout revokes the
// current one, token.revoke a named one). Someone else's token is "not
// found". Revoking a revoked token succeeds and records nothing.
type RevokeToken struct {
	Envelope
	UserID  int64  `json:"user_id"`
	TokenID int64  `json:"token_id"`
	Reason  string `json:"reason"`
}

// CommandName implements Command.
func (RevokeToken) CommandName() string { return "token.revoke" }

// NewRevokeTokenHandler builds the handler.
func NewRevokeTokenHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(RevokeToken{}.CommandName(), func(ctx context.Context, c *RevokeToken) (Result, error) {
		pos, err := d.revokeToken(ctx, c.Meta(), c.UserID, c.TokenID, c.Reason)
		if err != nil {
			return Result{}, err
		}
		return Result{Position: pos, ID: c.TokenID}, nil
	})
}

// revokeToken revokes userID's token id and returns the position written
// (0 when it was revoked already).
func (d *Deps) revokeToken(ctx context.Context, meta eventMeta, userID, id int64, reason string) (uint64, error) {
	ar, err := d.Repo.Update(ctx, token.Stream(id), meta,
		func() domain.Aggregate { return token.New() },
		func(a domain.Aggregate) error {
			t := a.(*token.Token)
			if t.ID() == 0 || t.UserID() != userID {
				return domain.NotFound(token.DetailNotFound)
			}
			t.Revoke(reason, d.now())
			return nil
		})
	return ar.Position, err
}
