package commands

import (
	"context"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
)

// ServerRequest is embedded in the commands that ask a reactor to change
// something on a server (profile.update, profile.delete, image.delete,
// certificate.revoke). Privileged says the actor may manage every server
// (group < 3); ExpiresAtMs (unix milliseconds) is when the caller stops
// waiting for the outcome.
type ServerRequest struct {
	Envelope
	ServerID    int64 `json:"server_id"`
	UserID      int64 `json:"user_id"`
	Privileged  bool  `json:"privileged"`
	ExpiresAtMs int64 `json:"expires_at_ms"`
}

// Result.Values["state"] of a server request:
const (
	// StateRequested: the request was recorded; wait for its outcome.
	StateRequested = "requested"
	// StatePending: a repeat of a request still waiting for its outcome.
	StatePending = "pending"
	// StateDone and StateFailed: a repeat of a finished request; Values
	// "kind" and "reason" tell why it failed.
	StateDone   = "done"
	StateFailed = "failed"
)

// requestOn records a request on r's server through decide. A repeat of
// the same request records nothing and answers with the request's state.
func (d *Deps) requestOn(ctx context.Context, r *ServerRequest, decide func(*server.Server, server.Ask) error) (Result, error) {
	meta := r.Meta()
	ask := server.Ask{Actor: server.Actor{UserID: r.UserID, Privileged: r.Privileged}, RequestID: meta.RequestID,
		ExpiresAt: time.UnixMilli(r.ExpiresAtMs), Now: d.now()}
	recorded := false
	ar, err := d.Repo.Update(ctx, server.Stream(r.ServerID), meta,
		func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error {
			s := a.(*server.Server)
			err := decide(s, ask)
			recorded = err == nil && len(s.Root().Changes()) > 0
			return err
		})
	if err != nil {
		return Result{}, err
	}
	res := Result{Position: ar.Position, ID: r.ServerID, Values: map[string]string{"state": StateRequested}}
	if recorded {
		return res, nil
	}
	s := server.New()
	if _, err := d.Repo.Load(ctx, server.Stream(r.ServerID), s); err != nil {
		return Result{}, err
	}
	if err := s.Check(ask.Actor); err != nil {
		return Result{}, err
	}
	switch f, done := s.Outcome(meta.RequestID); {
	case !done:
		res.Values["state"] = StatePending
	case f.Failed:
		res.Values = map[string]string{"state": StateFailed, "kind": f.Kind, "reason": f.Reason}
	default:
		res.Values["state"] = StateDone
	}
	return res, nil
}
