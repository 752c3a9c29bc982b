package api

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

// HostSource hands out the connection to a managed server (hosts.Registry).
type HostSource interface {
	Get(ctx context.Context, serverID int64) (lxd.Host, error)
}

// LXDDeps serve the LXD server methods (server.*, certificate.*, image.*,
// network.list, pool.list, profile.*, volume.list). With Hosts nil they
// answer 503.
type LXDDeps struct {
	Hosts HostSource
	// IDs gives things on LXD hosts their stable numeric ids.
	IDs *readmodels.ResourceIDs
	// Outcomes lets a mutation wait for its reactor's outcome event.
	Outcomes *projections.Outcomes
	// Verify tells whether host:port would accept secret (lxd.Verify);
	// it changes nothing on the host and records nothing.
	Verify func(ctx context.Context, host string, port int, secret string) error
	// Wait bounds how long a mutation waits for LXD (it is written in the
	// request event, and the reactor gives up at that time). Default 30 s.
	Wait time.Duration
}

// outcomeGrace is how long a mutation waits past its deadline for the
// reactor's failure event to arrive.
const outcomeGrace = 3 * time.Second

func (s *Server) lxdWait() time.Duration {
	if s.lxd.Wait <= 0 {
		return 30 * time.Second
	}
	return s.lxd.Wait
}

// needLXD answers 503 when no LXD adapter is wired.
func (s *Server) needLXD(f func(ctx context.Context, c *Call) (Document, error)) func(ctx context.Context, c *Call) (Document, error) {
	return func(ctx context.Context, c *Call) (Document, error) {
		if s.lxd.Hosts == nil || s.lxd.IDs == nil || s.lxd.Outcomes == nil || s.lxd.Verify == nil {
			return unavailable(ctx, c)
		}
		return f(ctx, c)
	}
}

// serverRef is the part of every body that names a server.
type serverRef struct {
	ServerID Int    `json:"server_id"`
	Provider string `json:"provider"`
}

func (r serverRef) check() error {
	if !r.ServerID.Set || r.ServerID.V <= 0 {
		return domain.Invalid("server_id", domain.DetailFieldRequired)
	}
	return server.ValidateKind("", r.Provider)
}

func actorOf(c *Call) server.Actor {
	return server.Actor{UserID: c.UserID(), Privileged: c.Privileged()}
}

// ownedServer returns server id if the caller may see it: its owner, or
// anyone in a group below 3. Everyone else gets 404, as for no server.
func (s *Server) ownedServer(ctx context.Context, c *Call, id int64) (readmodels.Server, error) {
	row, err := s.rm.ServerByID(ctx, id)
	if errors.Is(err, readmodels.ErrNotFound) || err == nil && !c.Privileged() && row.UserID != c.UserID() {
		return readmodels.Server{}, domain.NotFound(server.DetailNotFound)
	}
	return row, err
}

// hostOf checks the body's server reference and the caller's access, and
// returns the server's row and its connection.
func (s *Server) hostOf(ctx context.Context, c *Call, ref *serverRef) (readmodels.Server, lxd.Host, error) {
	if err := ref.check(); err != nil {
		return readmodels.Server{}, nil, err
	}
	row, err := s.ownedServer(ctx, c, ref.ServerID.V)
	if err != nil {
		return readmodels.Server{}, nil, err
	}
	h, err := s.lxd.Hosts.Get(ctx, row.ID)
	return row, h, err
}

// ids returns the stable ids of names of kind on server id.
func (s *Server) ids(ctx context.Context, serverID int64, kind string, names []string) (map[string]int64, error) {
	return s.lxd.IDs.IDs(ctx, serverID, kind, names)
}

// errorItem is an included item of type typ that could not be read.
func (s *Server) errorItem(ctx context.Context, typ string, err error) Resource {
	de, ok := MapLXDError(err)
	if !ok {
		de = s.classify(err)
	}
	status := kindStatus[de.Kind]
	if status == 0 {
		status = 500
	}
	s.log.Warn("partial failure", "request_id", requestID(ctx), "type", typ, "err", err)
	return Resource{Type: typ, Errors: []ErrorObject{{Status: strconv.Itoa(status), Code: de.Kind.String(), Detail: de.Detail}}}
}

// unix is t as unix seconds, 0 for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
