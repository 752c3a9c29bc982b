package lxd

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"
)

// Server is a trusted connection to one LXD host, pinned to its
// certificate. It is safe for concurrent use; each call opens its own
// HTTPS request (LXD's client keeps no connections alive) bounded by the
// timeout given to Connect and by the caller's context.
type Server struct {
	base *lxdclient.ProtocolLXD
	s    settings
	addr string
	// info is GET /1.0 as seen by Connect: API extensions and names.
	info *api.Server
}

// Connect opens a connection to host:port as id, accepting only the
// certificate pinnedCertPEM (as returned by Trust). A host presenting
// another certificate is refused with ErrCertificateChanged; a host that
// no longer trusts id gives ErrNotTrusted.
func Connect(ctx context.Context, host string, port int, pinnedCertPEM string, id *Identity, opts ...Option) (*Server, error) {
	op := fmt.Sprintf("connecting to %s:%d", host, port)
	if id == nil {
		return nil, fmt.Errorf("%s: %w: no identity", op, ErrInvalid)
	}
	want, err := parseCertPEM(pinnedCertPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: pinned certificate: %w", op, err)
	}
	s := newSettings(opts)
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	base, err := dial(cctx, host, port, id, &pin{want: want}, s)
	if err != nil {
		return nil, wrap(op, err)
	}
	srv, trusted, err := serverTrusts(base) // also caches extensions in base
	if err != nil {
		return nil, wrap(op, err)
	}
	if !trusted {
		return nil, fmt.Errorf("%s: %w", op, ErrNotTrusted)
	}
	return &Server{base: base, s: s, addr: net.JoinHostPort(host, strconv.Itoa(port)), info: srv}, nil
}

// Close releases the client's background resources. The Server must not
// be used afterwards.
func (s *Server) Close() { s.base.Disconnect() }

// Addr is the host:port the Server talks to.
func (s *Server) Addr() string { return s.addr }

// client returns a client bound to ctx, bounded by the request timeout.
func (s *Server) client(ctx context.Context) (*lxdclient.ProtocolLXD, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, s.s.timeout)
	return scoped(ctx, s.base, s.s.project), cancel
}

// opClient is client for calls that wait for a background operation; it
// also returns the bounded context to wait with.
func (s *Server) opClient(ctx context.Context) (context.Context, *lxdclient.ProtocolLXD, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, s.s.opTimeout)
	return ctx, scoped(ctx, s.base, s.s.project), cancel
}

func (s *Server) hasExtension(name string) bool {
	return slices.Contains(s.info.APIExtensions, name)
}

// ServerInfo is what server.get shows about a host. Memory is in MiB.
type ServerInfo struct {
	Name                   string
	Addresses              []string
	CertificateFingerprint string // the host's own certificate
	CPUCores               int
	CPUThreads             int
	CPUModel               string
	CPUVendor              string
	Driver                 string // "lxc", or "lxc | qemu"
	DriverVersion          string
	KernelArchitecture     string
	KernelVersion          string
	MemoryTotalMiB         int64
	MemoryUsedMiB          int64
	Server                 string // "lxd"
	ServerVersion          string
	Storage                string
	StorageVersion         string
	// SupportedInstanceTypes is comma-separated and never empty
	// ("container" at least).
	SupportedInstanceTypes string
}

// Info reads GET /1.0 and GET /1.0/resources.
func (s *Server) Info(ctx context.Context) (ServerInfo, error) {
	const op = "reading server info"
	c, cancel := s.client(ctx)
	defer cancel()
	srv, _, err := c.GetServer()
	if err != nil {
		return ServerInfo{}, wrap(op, err)
	}
	res, err := c.GetServerResources()
	if err != nil {
		return ServerInfo{}, wrap(op, err)
	}
	env := srv.Environment
	info := ServerInfo{
		Name:                   env.ServerName,
		Addresses:              env.Addresses,
		CertificateFingerprint: env.CertificateFingerprint,
		CPUThreads:             int(res.CPU.Total),
		Driver:                 env.Driver,
		DriverVersion:          env.DriverVersion,
		KernelArchitecture:     env.KernelArchitecture,
		KernelVersion:          env.KernelVersion,
		MemoryTotalMiB:         int64(res.Memory.Total >> 20),
		MemoryUsedMiB:          int64(res.Memory.Used >> 20),
		Server:                 env.Server,
		ServerVersion:          env.ServerVersion,
		Storage:                env.Storage,
		StorageVersion:         env.StorageVersion,
		SupportedInstanceTypes: instanceTypes(env),
	}
	for i, sock := range res.CPU.Sockets {
		info.CPUCores += len(sock.Cores)
		if i == 0 {
			info.CPUModel, info.CPUVendor = sock.Name, sock.Vendor
		}
	}
	return info, nil
}

// instanceTypes lists what the host can run: from environment.instance_types
// when given, else from the drivers, else "container".
func instanceTypes(env api.ServerEnvironment) string {
	types := slices.Clone(env.InstanceTypes)
	if len(types) == 0 {
		for _, d := range strings.Split(env.Driver, "|") {
			switch strings.TrimSpace(d) {
			case "lxc":
				types = append(types, "container")
			case "qemu":
				types = append(types, "virtual-machine")
			}
		}
	}
	if len(types) == 0 {
		types = []string{"container"}
	}
	return strings.Join(types, ",")
}

// GetServerCertFingerprint returns the sha256 fingerprint of the host's
// own certificate (not uivmm's: that is Identity.Fingerprint).
func (s *Server) GetServerCertFingerprint(ctx context.Context) (string, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	srv, _, err := c.GetServer()
	if err != nil {
		return "", wrap("reading the server certificate", err)
	}
	return srv.Environment.CertificateFingerprint, nil
}
