package api

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd"
)

// serverRequest builds the common part of a mutation's command, after
// checking the body's server reference. Ownership is checked by the
// command (404 for anyone else's server).
func (s *Server) serverRequest(c *Call, command string, ref serverRef) (commands.ServerRequest, error) {
	if err := ref.check(); err != nil {
		return commands.ServerRequest{}, err
	}
	return commands.ServerRequest{Envelope: envelope(c, command), ServerID: ref.ServerID.V, UserID: c.UserID(),
		Privileged: c.Privileged(), ExpiresAtMs: time.Now().Add(s.lxdWait()).UnixMilli()}, nil
}

// mutate sends a server request and answers with its outcome: the
// reactor's success (an ack of typ) or its failure (LXD's reason, with
// its status). It waits at most the request's deadline plus a grace; past
// that it answers 504 (the reactor still records an outcome later).
func (s *Server) mutate(ctx context.Context, c *Call, req *commands.ServerRequest, cmd commands.Command, typ string) (Document, error) {
	stream := server.Stream(req.ServerID)
	exp := s.lxd.Outcomes.Expect(c.Meta.RequestID, func(rec eventstore.RecordedEvent) bool {
		return rec.Stream == stream && slices.Contains(server.OutcomeTypes(), rec.Type)
	})
	wctx, cancel := context.WithDeadline(ctx, time.UnixMilli(req.ExpiresAtMs).Add(outcomeGrace))
	defer cancel()
	res, err := s.bus.Send(ctx, cmd)
	if err != nil {
		drop(exp)
		return Document{}, err
	}
	switch res.Values["state"] {
	case commands.StateDone:
		drop(exp)
		s.waitFor(ctx, res.Position)
		return Ack(typ, 0), nil
	case commands.StateFailed:
		drop(exp)
		return Document{}, outcomeError(res.Values["kind"], res.Values["reason"])
	}
	rec, err := exp.Wait(wctx)
	if err != nil {
		if ctx.Err() != nil {
			return Document{}, ctx.Err()
		}
		return Document{}, &domain.Error{Kind: domain.KindTimeout, Detail: DetailOutcomeTimeout, Err: err}
	}
	if server.IsFailure(rec.Type) {
		var f server.Failure
		if err := json.Unmarshal(rec.Data, &f); err != nil {
			return Document{}, err
		}
		return Document{}, outcomeError(f.Kind, f.Reason)
	}
	s.waitFor(ctx, rec.Position)
	return Ack(typ, 0), nil
}

// drop unregisters an expectation that will not be waited for.
func drop(e interface {
	Wait(context.Context) (eventstore.RecordedEvent, error)
}) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = e.Wait(done)
}

// outcomeError is a recorded failure as the error to answer with.
func outcomeError(kind, reason string) error {
	k := domain.KindUpstream
	for c := domain.KindInternal; c <= domain.KindUnsupportedMedia; c++ {
		if c.String() == kind {
			k = c
			break
		}
	}
	if reason == "" {
		reason = DetailLXDRefused
	}
	return &domain.Error{Kind: k, Detail: reason}
}

type profileUpdateBody struct {
	serverRef
	Name   string `json:"profile_name"`
	Body   string `json:"profile_body"`
	Rename string `json:"profile_rename"`
}

// profileUpdate makes a profile hold the YAML body, creating it when
// missing and renaming it when profile_rename is set. The body is checked
// here (400 for bad YAML, or a name other than the final one).
func (s *Server) profileUpdate(ctx context.Context, c *Call) (Document, error) {
	var b profileUpdateBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	req, err := s.serverRequest(c, "profile.update", b.serverRef)
	if err != nil {
		return Document{}, err
	}
	if err := server.ValidateProfileName("profile_name", b.Name); err != nil {
		return Document{}, err
	}
	if b.Body == "" {
		return Document{}, domain.Invalid("profile_body", domain.DetailFieldRequired)
	}
	docName, _, err := lxd.ParseProfile(b.Body)
	if err != nil {
		if de, ok := MapLXDError(err); ok {
			de.Field = "profile_body"
			return Document{}, de
		}
		return Document{}, domain.Invalid("profile_body", DetailLXDInvalid)
	}
	target := b.Name
	if b.Rename != "" {
		target = b.Rename
	}
	if docName != "" && docName != target {
		return Document{}, domain.Invalid("profile_body", "the name in the profile body must be "+target)
	}
	cmd := &commands.RequestProfileUpdate{ServerRequest: req, Name: b.Name, Body: b.Body, Rename: b.Rename}
	return s.mutate(ctx, c, &cmd.ServerRequest, cmd, "profile")
}

type profileDeleteBody struct {
	serverRef
	Name string `json:"profile_name"`
}

// profileDelete deletes a profile; LXD refuses one in use (409).
func (s *Server) profileDelete(ctx context.Context, c *Call) (Document, error) {
	var b profileDeleteBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	req, err := s.serverRequest(c, "profile.delete", b.serverRef)
	if err != nil {
		return Document{}, err
	}
	cmd := &commands.RequestProfileDelete{ServerRequest: req, Name: b.Name}
	return s.mutate(ctx, c, &cmd.ServerRequest, cmd, "profile")
}

type imageDeleteBody struct {
	serverRef
	Fingerprint string `json:"image_fingerprint"`
}

// imageDelete deletes one of the host's images.
func (s *Server) imageDelete(ctx context.Context, c *Call) (Document, error) {
	var b imageDeleteBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	req, err := s.serverRequest(c, "image.delete", b.serverRef)
	if err != nil {
		return Document{}, err
	}
	cmd := &commands.RequestImageDelete{ServerRequest: req, Fingerprint: b.Fingerprint}
	return s.mutate(ctx, c, &cmd.ServerRequest, cmd, "image")
}

type certificateRevokeBody struct {
	serverRef
	Fingerprint string `json:"certificate_fingerprint"`
}

// certificateRevoke removes a certificate from the host's trust store;
// uivmm's own is refused with 403.
func (s *Server) certificateRevoke(ctx context.Context, c *Call) (Document, error) {
	var b certificateRevokeBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	req, err := s.serverRequest(c, "certificate.revoke", b.serverRef)
	if err != nil {
		return Document{}, err
	}
	cmd := &commands.RequestCertificateRevoke{ServerRequest: req, Fingerprint: b.Fingerprint}
	return s.mutate(ctx, c, &cmd.ServerRequest, cmd, "certificate")
}
