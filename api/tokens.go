package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/readmodels"
)

// tokenAttrs renders a token as token.get shows it: never its hash. A
// revoked or expired token has token_state 0.
func tokenAttrs(t readmodels.Token, now time.Time) map[string]any {
	state := 1
	if t.RevokedAt != 0 || now.Unix() >= t.ExpiresAt {
		state = 0
	}
	return map[string]any{
		"token_id": t.ID, "token_name": t.Name, "token_state": state, "token_type": t.Type,
		"token_time_start": t.StartAt, "token_time_expire": t.ExpiresAt, "revoke_time": t.RevokedAt,
		"user_id": t.UserID,
	}
}

type tokenCreateBody struct {
	Lifetime  Int   `json:"token_lifetime"`
	RevokeAll *bool `json:"token_revoke_all"`
}

// tokenCreate issues a system.api token; the raw token is in the answer
// once and nowhere else.
func (s *Server) tokenCreate(ctx context.Context, c *Call) (Document, error) {
	var b tokenCreateBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if !b.Lifetime.Set {
		return Document{}, domain.Invalid("token_lifetime", domain.DetailFieldRequired)
	}
	res, err := s.send(ctx, &commands.CreateToken{Envelope: envelope(c, "token.create"), UserID: c.UserID(),
		Lifetime: b.Lifetime.V, RevokeAll: b.RevokeAll != nil && *b.RevokeAll})
	if err != nil {
		return Document{}, err
	}
	id, err := strconv.ParseInt(res.Values["token_id"], 10, 64)
	if err != nil {
		return Document{}, fmt.Errorf("token.create answered no token id: %w", err)
	}
	t, err := s.rm.TokenByID(ctx, id)
	if err != nil {
		return Document{}, fmt.Errorf("reading token %d after token.create: %w", id, err)
	}
	attrs := tokenAttrs(t, time.Now())
	attrs["token"] = res.Values["token"]
	return One("token", t.ID, attrs), nil
}

// tokenGet lists the caller's tokens, newest first.
func (s *Server) tokenGet(ctx context.Context, c *Call) (Document, error) {
	ts, err := s.rm.TokensOfUser(ctx, c.UserID())
	if err != nil {
		return Document{}, err
	}
	now := time.Now()
	items := make([]Resource, len(ts))
	for i, t := range ts {
		items[i] = Resource{Type: "token", ID: t.ID, Attributes: tokenAttrs(t, now)}
	}
	return Many(items), nil
}

type tokenRevokeBody struct {
	Name *string `json:"token_name"`
}

// tokenRevoke revokes one of the caller's tokens by its GUID name; any
// other name, someone else's included, is "token not found".
func (s *Server) tokenRevoke(ctx context.Context, c *Call) (Document, error) {
	var b tokenRevokeBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if b.Name == nil || *b.Name == "" {
		return Document{}, domain.Invalid("token_name", domain.DetailFieldRequired)
	}
	t, err := s.rm.TokenByName(ctx, c.UserID(), *b.Name)
	if errors.Is(err, readmodels.ErrNotFound) {
		return Document{}, domain.NotFound(token.DetailNotFound)
	}
	if err != nil {
		return Document{}, err
	}
	if _, err := s.send(ctx, &commands.RevokeToken{Envelope: envelope(c, "token.revoke"), UserID: c.UserID(),
		TokenID: t.ID, Reason: "revoke"}); err != nil {
		return Document{}, err
	}
	return Ack("token", t.ID), nil
}
