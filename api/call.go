package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// Call is one decoded API call.
type Call struct {
	Method string
	Body   []byte
	// User is the authenticated caller, nil for an anonymous call.
	User    *readmodels.User
	TokenID int64
	// Meta is the metadata every event this call causes will carry.
	Meta    eventstore.Metadata
	Request *http.Request
}

// Privileged reports whether the caller may see and manage everything.
func (c *Call) Privileged() bool { return c.User != nil && c.User.Group < 3 }

// UserID returns the caller's id, 0 when anonymous.
func (c *Call) UserID() int64 {
	if c.User == nil {
		return 0
	}
	return c.User.ID
}

// Decode decodes the call's body into v (see decode).
func (c *Call) Decode(v any) error { return decode(c.Body, v) }

// MetaFor returns the call's metadata for command name.
func (c *Call) MetaFor(command string) eventstore.Metadata {
	m := c.Meta
	m.Command = command
	return m
}

type ctxKey int

const reqIDKey ctxKey = iota

type reqIDBox struct {
	id     string
	userID int64
}

func requestID(ctx context.Context) string {
	if b, ok := ctx.Value(reqIDKey).(*reqIDBox); ok {
		return b.id
	}
	return ""
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// adoptRequestID takes the body's request_id (the UI sends a uuid) as the
// call's request id, when it is well-formed.
func adoptRequestID(ctx context.Context, body []byte) string {
	var probe struct {
		RequestID any `json:"request_id"`
	}
	box, _ := ctx.Value(reqIDKey).(*reqIDBox)
	if box == nil {
		return ""
	}
	if json.Unmarshal(body, &probe) == nil {
		if s, ok := probe.RequestID.(string); ok && requestIDRE.MatchString(s) {
			box.id = s
		}
	}
	return box.id
}

func newRequestID(r *http.Request) string {
	if h := r.Header.Get("X-Request-Id"); requestIDRE.MatchString(h) {
		return h
	}
	return uuid.NewString()
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// send sends cmd and, for a command that wrote something, waits (bounded)
// until the read models have processed it, so the reply and any read that
// follows see the write.
func (s *Server) send(ctx context.Context, cmd commands.Command) (commands.Result, error) {
	res, err := s.bus.Send(ctx, cmd)
	if err != nil {
		return res, err
	}
	s.waitFor(ctx, res.Position)
	return res, nil
}

func (s *Server) waitFor(ctx context.Context, pos uint64) {
	if pos == 0 {
		return
	}
	wctx, cancel := context.WithTimeout(ctx, s.opts.ReadYourWrites)
	defer cancel()
	if err := s.waiter.WaitFor(wctx, pos); err != nil {
		s.log.Warn("read models lag behind a write", "position", pos, "request_id", requestID(ctx), "err", err)
	}
}

// errNeedsAuth is the 401 of a method called without a token.
var errNeedsAuth = domain.Unauthorized("token not found")
