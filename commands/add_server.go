package commands

import (
	"context"
	"errors"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
)

// ServerTrust adds uivmm's client certificate to an LXD host's trust
// store. It is the LXD adapter's port; app implements it with package lxd.
// It must be safe for concurrent use, bounded in time, and return
// *domain.Error for every failure a user can act on (a refused secret, an
// unreachable host), since only domain errors cross the command bus.
type ServerTrust interface {
	// Trust makes host:port trust uivmm with secret (a trust password or
	// a trust token) and returns the host certificate to pin. A host that
	// trusts uivmm already must still prove the secret valid.
	Trust(ctx context.Context, host string, port int, secret string) (TrustedHost, error)
}

// TrustedHost is what Trust returns: the host's certificate to pin,
// uivmm's client fingerprint, and how the host came to trust it
// (server.TrustPassword or server.TrustToken).
type TrustedHost struct {
	CertPEM           string
	CertFingerprint   string
	ClientFingerprint string
	Method            string
}

// AddServer adds an LXD host for UserID (server.add). The trust secret is
// used here, synchronously, and never recorded: it travels in memory
// only. One host:port may be added once, which a claim enforces.
type AddServer struct {
	Envelope
	UserID   int64  `json:"user_id"`
	Host     string `json:"host"`
	Port     int64  `json:"port"`
	Protocol string `json:"protocol"`
	Provider string `json:"provider"`
	Secret   string `json:"secret"`
}

// CommandName implements Command.
func (AddServer) CommandName() string { return "server.add" }

// staleServerClaim is how old a claim on host:port whose server was never
// recorded must be before another add may take it over (the first add
// crashed between claiming and recording).
const staleServerClaim = 10 * time.Minute

// NewAddServerHandler builds the handler. It needs Deps.Servers.
func NewAddServerHandler(d Deps) Handler {
	d.mustHave(false)
	if d.Servers == nil {
		panic("commands: server.add needs Deps.Servers")
	}
	return handler(AddServer{}.CommandName(), func(ctx context.Context, c *AddServer) (Result, error) {
		if d.Settings.DisableServerAdd {
			return Result{}, domain.Forbidden(server.DetailAddDisabled)
		}
		host, err := checkAddServer(c)
		if err != nil {
			return Result{}, err
		}
		meta := c.Meta()
		id, err := d.Repo.NextID(ctx, "server", meta)
		if err != nil {
			return Result{}, err
		}
		key := server.ClaimKey(host, int(c.Port))
		if err := d.claimServer(ctx, key, id, meta); err != nil {
			return Result{}, err
		}
		ar, err := d.trustAndAdd(ctx, c, id, host)
		if err != nil {
			if rerr := d.Repo.Release(context.WithoutCancel(ctx), server.ClaimNamespace, key, id, meta); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: id}, nil
	})
}

func checkAddServer(c *AddServer) (string, error) {
	if err := server.ValidateKind(c.Protocol, c.Provider); err != nil {
		return "", err
	}
	host, err := server.NormalizeHost(c.Host)
	if err != nil {
		return "", err
	}
	if err := server.ValidatePort(c.Port); err != nil {
		return "", err
	}
	if c.Secret == "" {
		return "", domain.Invalid("server_password", domain.DetailFieldRequired)
	}
	return host, nil
}

func (d *Deps) trustAndAdd(ctx context.Context, c *AddServer, id int64, host string) (eventstore.AppendResult, error) {
	th, err := d.Servers.Trust(ctx, host, int(c.Port), c.Secret)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	spec := server.AddSpec{ServerID: id, UserID: c.UserID, Host: host, Port: int(c.Port), CertPEM: th.CertPEM,
		CertFingerprint: th.CertFingerprint, ClientFingerprint: th.ClientFingerprint, TrustMethod: th.Method}
	return d.Repo.Update(ctx, server.Stream(id), c.Meta(),
		func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error { return a.(*server.Server).Add(spec, d.now()) })
}

// claimServer claims host:port for server id. A claim held by a removed
// server, or by an add that never recorded its server and is older than
// staleServerClaim, is taken over; any other holder is a conflict.
func (d *Deps) claimServer(ctx context.Context, key string, id int64, meta eventMeta) error {
	err := d.Repo.Claim(ctx, server.ClaimNamespace, key, id, server.DetailDuplicate, meta)
	if !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	stream := unique.ClaimStream(server.ClaimNamespace, key)
	recs, err := d.Repo.Store().ReadStream(ctx, stream, 0)
	if err != nil {
		return err
	}
	var claimedAt time.Time
	if len(recs) > 0 {
		claimedAt = recs[len(recs)-1].Time
	}
	meta.Command += ":takeover"
	_, err = d.Repo.Update(ctx, stream, meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error {
			c := a.(*unique.Claim)
			if owner := c.Owner(); owner != 0 && owner != id {
				holder := server.New()
				hrecs, err := d.Repo.Load(ctx, server.Stream(owner), holder)
				if err != nil {
					return err
				}
				abandoned := len(hrecs) == 0 && d.now().Sub(claimedAt) > staleServerClaim
				if !holder.Removed() && !abandoned {
					return domain.Conflict(server.DetailDuplicate)
				}
				c.Release(owner)
			}
			return c.Take(id, server.DetailDuplicate)
		})
	return err
}
