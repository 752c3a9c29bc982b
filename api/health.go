package api

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain"
)

// Streams hands out event-stream ids (config.get's "stream").
type Streams interface {
	NewStreamID() string
}

// streamIDs is the fallback when no stream hub is wired: ids are made
// but nothing can subscribe.
type streamIDs struct{ mu sync.Mutex }

func newStreamIDs() *streamIDs           { return &streamIDs{} }
func (s *streamIDs) NewStreamID() string { return uuid.NewString() }

func (s *Server) healthAlive(ctx context.Context, c *Call) (Document, error) {
	return Ack("health", 0), nil
}

// healthReady answers 503 unless the store is reachable and the read
// models have caught up with its head (waiting up to two seconds).
func (s *Server) healthReady(ctx context.Context, c *Call) (Document, error) {
	if s.ready != nil {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := s.ready(rctx); err != nil {
			return Document{}, &domain.Error{Kind: domain.KindUnavailable, Detail: "not ready: " + err.Error(), Err: err}
		}
	}
	return Ack("health", 0), nil
}

func (s *Server) configGet(ctx context.Context, c *Call) (Document, error) {
	o := s.opts
	attrs := map[string]any{
		"disable_user_recovery":        o.DisableUserRecovery,
		"disable_user_registration":    o.DisableUserRegistration,
		"disable_server_add":           o.DisableServerAdd,
		"disable_ssh_key_add":          o.DisableSSHKeyAdd,
		"disable_user_password_change": o.DisableUserPasswordChange,
		"webauth_enabled":              o.WebAuthnEnabled,
		"simplestream_enabled":         o.SimplestreamEnabled,
		"stream":                       s.streams.NewStreamID(),
	}
	if o.WebAuthnAttestationType != "" {
		attrs["webauth_attestation_type"] = o.WebAuthnAttestationType
	}
	if o.WebAuthnAuthenticatorAttch != "" {
		attrs["webauth_authenticator_attachment"] = o.WebAuthnAuthenticatorAttch
	}
	return One("config", 1, attrs), nil
}
