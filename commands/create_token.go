package commands

import (
	"context"
	"strconv"
	"time"

	"github.com/uivmm/uivmm/domain/token"
)

// CreateToken issues a system.api token for UserID (token.create) that
// lives Lifetime seconds. With RevokeAll, the user's other live system.api
// tokens are revoked once the new one is stored, so a failure leaves the
// old ones working. The raw token comes back in Result.Values["token"]
// (and its id in Values["token_id"]); it is never stored.
type CreateToken struct {
	Envelope
	UserID    int64 `json:"user_id"`
	Lifetime  int64 `json:"lifetime"`
	RevokeAll bool  `json:"revoke_all"`
}

// CommandName implements Command.
func (CreateToken) CommandName() string { return "token.create" }

// NewCreateTokenHandler builds the handler. It needs Deps.Tokens.
func NewCreateTokenHandler(d Deps) Handler {
	d.mustHave(false)
	if d.Tokens == nil {
		panic("commands: NewCreateTokenHandler needs a token lookup")
	}
	return handler(CreateToken{}.CommandName(), func(ctx context.Context, c *CreateToken) (Result, error) {
		if err := token.ValidateLifetime(c.Lifetime); err != nil {
			return Result{}, err
		}
		res, err := d.issueToken(ctx, c.Meta(), c.UserID, token.TypeAPI, time.Duration(c.Lifetime)*time.Second)
		if err != nil || !c.RevokeAll {
			return res, err
		}
		newID, err := strconv.ParseInt(res.Values["token_id"], 10, 64)
		if err != nil {
			return Result{}, err
		}
		ids, err := d.Tokens.ActiveTokenIDs(ctx, c.UserID, token.TypeAPI, d.now().Unix())
		if err != nil {
			return Result{}, err
		}
		for _, id := range ids {
			if id == newID {
				continue
			}
			pos, err := d.revokeToken(ctx, c.Meta(), c.UserID, id, "revoke_all")
			if err != nil {
				return Result{}, err
			}
			res.Position = max(res.Position, pos)
		}
		return res, nil
	})
}
