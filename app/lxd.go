package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/canonical/lxd/shared"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/hosts"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/reactors"
	"github.com/uivmm/uivmm/readmodels"
)

// LXD is what app wires for LXD hosts: uivmm's client identity, one pinned
// connection per managed server, the ids of things on hosts, the outcome
// waiter, and the "lxd" reactor group.
type LXD struct {
	Identity *lxd.Identity
	Hosts    *hosts.Registry
	IDs      *readmodels.ResourceIDs
	Outcomes *projections.Outcomes
	Reactors *projections.ReactorRunner
	opts     []lxd.Option
}

// openLXD loads (or makes) the client identity in the data directory,
// builds the host registry over the servers read model and gives the
// command layer its trust port. Call it before the command bus is built.
func (a *App) openLXD(ctx context.Context, cfg config.Config) error {
	id, err := lxd.LoadOrCreateIdentity(cfg.DataDir)
	if err != nil {
		return err
	}
	l := &a.LXD
	l.Identity, l.opts = id, []lxd.Option{lxd.WithTimeout(cfg.LXD.Timeout.Duration)}
	l.IDs = readmodels.NewResourceIDs(a.RM)
	if err := l.IDs.Ensure(ctx); err != nil {
		return err
	}
	l.Hosts = hosts.New(id, a.serverTarget, append(l.opts, lxd.WithKeepAlive())...)
	a.closers = append(a.closers, l.Hosts.Close)
	a.Deps.Servers = lxdTrust{id: id, opts: l.opts}
	return nil
}

// serverTarget is the hosts.Lookup over the servers read model.
func (a *App) serverTarget(ctx context.Context, serverID int64) (hosts.Target, error) {
	row, err := a.RM.ServerByID(ctx, serverID)
	if errors.Is(err, readmodels.ErrNotFound) {
		return hosts.Target{}, domain.NotFound(server.DetailNotFound)
	}
	if err != nil {
		return hosts.Target{}, err
	}
	return hosts.Target{Host: row.Host, Port: row.Port, CertPEM: row.CertPEM}, nil
}

// addServerWork adds the reactor that applies the requests on servers'
// resources (profiles, images, certificates) to the "lxd" reactor group.
func (a *App) addServerWork(rr *projections.ReactorRunner) {
	sr := reactors.NewServers(reactors.ServersConfig{Repo: a.Deps.Repo, Hosts: a.LXD.Hosts, Classify: api.MapLXDError,
		Pending: a.RM, Log: a.Log})
	rr.Add(sr)
	rr.AddHeld(sr)
}

// startLXD hooks the outcome waiter to the runner, adds the "lxd" reactor
// group to the workers, and returns what the API needs. Call it after the
// projection runner exists and before the API is built.
func (a *App) startLXD(cfg config.Config) api.LXDDeps {
	l := &a.LXD
	l.Outcomes = projections.NewOutcomes()
	a.Runner.AddListener("lxd-outcomes", l.Outcomes.Listen)
	l.Reactors = projections.NewReactorRunner(a.Deps.Repo, a.Registry, a.Log, projections.ReactorConfig{Group: "lxd", TTL: a.Config.LXD.LeaseTTL.Duration})
	a.addServerWork(l.Reactors)
	a.addInstanceWork(l.Reactors) // instances.go
	a.runners = append(a.runners, l.Reactors.Run)
	return api.LXDDeps{Hosts: l.Hosts, IDs: l.IDs, Outcomes: l.Outcomes, Wait: cfg.HTTP.CommandTimeout.Duration,
		Verify: func(ctx context.Context, host string, port int, secret string) error {
			_, err := lxd.Verify(ctx, host, port, secret, l.opts...)
			return err
		}}
}

// lxdTrust implements commands.ServerTrust with package lxd.
type lxdTrust struct {
	id   *lxd.Identity
	opts []lxd.Option
}

// Trust adds uivmm's certificate to host:port's trust store and checks
// the pinned connection. A host that trusted uivmm already must still
// accept secret (tested with a throw-away certificate), so knowing
// another name of a trusted host is not enough to add it.
func (t lxdTrust) Trust(ctx context.Context, host string, port int, secret string) (commands.TrustedHost, error) {
	method := server.TrustPassword
	if _, err := shared.CertificateTokenDecode(strings.TrimSpace(secret)); err == nil {
		method = server.TrustToken
	}
	p, err := lxd.Trust(ctx, host, port, secret, t.id, t.opts...)
	if err == nil && p.AlreadyTrusted {
		err = t.prove(ctx, host, port, secret, method)
	}
	if err == nil {
		var srv *lxd.Server
		if srv, err = lxd.Connect(ctx, host, port, p.CertPEM, t.id, t.opts...); err == nil {
			srv.Close()
		}
	}
	if err != nil {
		return commands.TrustedHost{}, lxdFailure(err)
	}
	return commands.TrustedHost{CertPEM: p.CertPEM, CertFingerprint: p.Fingerprint,
		ClientFingerprint: t.id.Fingerprint(), Method: method}, nil
}

// prove checks that host accepts secret: a password through lxd.Verify,
// a token (single-use) by spending it on a throw-away identity that is
// then removed from the host's trust store.
func (t lxdTrust) prove(ctx context.Context, host string, port int, secret, method string) error {
	if method == server.TrustPassword {
		_, err := lxd.Verify(ctx, host, port, secret, t.opts...)
		return err
	}
	dir, err := os.MkdirTemp("", "uivmm-prove-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp, err := lxd.LoadOrCreateIdentity(dir)
	if err != nil {
		return err
	}
	p, err := lxd.Trust(ctx, host, port, secret, tmp, t.opts...)
	if err != nil {
		return err
	}
	srv, err := lxd.Connect(ctx, host, port, p.CertPEM, tmp, t.opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.DeleteCertificate(ctx, tmp.Fingerprint())
}

// lxdFailure is err as a domain error, the only kind that crosses the
// command bus with its detail.
func lxdFailure(err error) error {
	if _, ok := domain.As(err); ok {
		return err
	}
	if de, ok := api.MapLXDError(err); ok {
		return de
	}
	return &domain.Error{Kind: domain.KindUpstream, Detail: "the lxd server failed the request", Err: fmt.Errorf("trusting: %w", err)}
}
