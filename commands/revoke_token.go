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
		ar, err := d.Repo.Update(ctx, token.Stream(c.TokenID), c.Meta(),
			func() domain.Aggregate { return token.New() },
			func(a domain.Aggregate) error {
				t := a.(*token.Token)
				if t.ID() == 0 || t.UserID() != c.UserID {
					return domain.NotFound(token.DetailNotFound)
				}
				t.Revoke(c.Reason, d.now())
				return nil
			})
		if err != nil {
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: c.TokenID}, nil
	})
}
