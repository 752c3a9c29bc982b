package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/readmodels"
)

// serverConnBody is the body of server.add and server.verify.
// server_path (docs only) is ignored.
type serverConnBody struct {
	Host     string          `json:"server_host"`
	Port     json.RawMessage `json:"server_port"`
	Password string          `json:"server_password"`
	Protocol string          `json:"server_protocol"`
	Provider string          `json:"provider"`
}

// target checks the body: a host name or IP, a numeric port (an int or
// a numeric string), a secret, and "lxd" as protocol and provider.
func (b serverConnBody) target() (string, int, error) {
	if err := server.ValidateKind(b.Protocol, b.Provider); err != nil {
		return "", 0, err
	}
	host, err := server.NormalizeHost(b.Host)
	if err != nil {
		return "", 0, err
	}
	raw := string(bytes.Trim(bytes.TrimSpace(b.Port), `"`))
	if raw == "" || raw == "null" {
		return "", 0, domain.Invalid("server_port", domain.DetailFieldRequired)
	}
	port, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return "", 0, domain.Invalid("server_port", server.DetailPortNumeric)
	}
	if err := server.ValidatePort(port); err != nil {
		return "", 0, err
	}
	if b.Password == "" {
		return "", 0, domain.Invalid("server_password", domain.DetailFieldRequired)
	}
	return host, int(port), nil
}

// serverAdd trusts the host with the given password or token, pins its
// certificate and records the server for the caller.
func (s *Server) serverAdd(ctx context.Context, c *Call) (Document, error) {
	if s.opts.DisableServerAdd {
		return Document{}, domain.Forbidden(server.DetailAddDisabled)
	}
	var b serverConnBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	host, port, err := b.target()
	if err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.AddServer{Envelope: envelope(c, "server.add"), UserID: c.UserID(),
		Host: host, Port: int64(port), Protocol: b.Protocol, Provider: b.Provider, Secret: b.Password})
	if err != nil {
		return Document{}, err
	}
	row := readmodels.Server{ID: res.ID, UserID: c.UserID(), Host: host, Port: port, Protocol: server.Protocol, Provider: server.Provider}
	attrs := serverListAttrs(row)
	attrs["user_id"] = row.UserID
	return One("server", row.ID, attrs), nil
}

// serverVerify tests the connection and the secret; it records nothing.
func (s *Server) serverVerify(ctx context.Context, c *Call) (Document, error) {
	var b serverConnBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	host, port, err := b.target()
	if err != nil {
		return Document{}, err
	}
	if err := s.lxd.Verify(ctx, host, port, b.Password); err != nil {
		return Document{}, err
	}
	return Ack("server", 0), nil
}

func serverListAttrs(r readmodels.Server) map[string]any {
	return map[string]any{"server_id": r.ID, "provider": r.Provider, "server_host": r.Host,
		"server_port": r.Port, "server_protocol": r.Protocol}
}

// serverList lists the caller's servers (everyone's for group < 3);
// provider and server_id are optional filters.
func (s *Server) serverList(ctx context.Context, c *Call) (Document, error) {
	var b serverRef
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	owner := c.UserID()
	if c.Privileged() {
		owner = 0
	}
	rows, err := s.rm.ServersOf(ctx, owner)
	if err != nil {
		return Document{}, err
	}
	items := make([]Resource, 0, len(rows))
	for _, r := range rows {
		if b.Provider != "" && b.Provider != r.Provider || b.ServerID.Set && b.ServerID.V != r.ID {
			continue
		}
		items = append(items, Resource{Type: "server", ID: r.ID, Attributes: serverListAttrs(r)})
	}
	return Many(items), nil
}

// serverGet is one server in full form, read live from LXD, with its
// profiles, certificates, pools, volumes and instances in included. A
// host that cannot be reached fails the call; a part that cannot be read
// becomes an included item with errors.
func (s *Server) serverGet(ctx context.Context, c *Call) (Document, error) {
	var b serverRef
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	row, h, err := s.hostOf(ctx, c, &b)
	if err != nil {
		return Document{}, err
	}
	parts := []struct {
		typ  string
		list lister
	}{{"profile", s.liveProfiles}, {"certificate", s.liveCertificates}, {"pool", s.livePools}, {"volume", s.liveVolumes}, {"instance", s.liveInstances}}
	got := make([][]Resource, len(parts))
	var info lxd.ServerInfo
	var infoErr error
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			items, err := p.list(ctx, h, row.ID)
			if err != nil {
				items = []Resource{s.errorItem(ctx, p.typ, err)}
			}
			got[i] = items
		})
	}
	info, infoErr = h.Info(ctx)
	wg.Wait()
	if infoErr != nil {
		return Document{}, infoErr
	}
	var included []Resource
	for _, items := range got {
		included = append(included, items...)
	}
	return One("server", row.ID, serverFullAttrs(row, info), included...), nil
}

func serverFullAttrs(r readmodels.Server, in lxd.ServerInfo) map[string]any {
	a := serverListAttrs(r)
	types := in.SupportedInstanceTypes
	if types == "" {
		types = "container"
	}
	for k, v := range map[string]any{
		"user_id": r.UserID, "server_name": in.Name, "server_addresses": strings.Join(in.Addresses, ","),
		"server_certificate_fingerprint": r.ClientFingerprint,
		"server_cpu_cores":               in.CPUCores, "server_cpu_threads": in.CPUThreads,
		"server_cpu_model": in.CPUModel, "server_cpu_vendor": in.CPUVendor,
		"server_driver": in.Driver, "server_driver_version": in.DriverVersion,
		"server_kernel_architecture": in.KernelArchitecture, "server_kernel_version": in.KernelVersion,
		"server_memory_total": in.MemoryTotalMiB, "server_memory_used": in.MemoryUsedMiB,
		"server_server": in.Server, "server_server_version": in.ServerVersion,
		"server_storage": in.Storage, "server_storage_version": in.StorageVersion,
		"server_supported_instance_types": types,
	} {
		a[k] = v
	}
	return a
}
