package api

import (
	"context"
	"strings"

	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/lxd"
)

// lister reads one kind of thing from a server, as resources with ids.
type lister func(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error)

// resources gives n things of typ on serverID their ids (by key) and
// attributes.
func (s *Server) resources(ctx context.Context, serverID int64, typ string, n int, key func(int) string, attrs func(int) map[string]any) ([]Resource, error) {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = key(i)
	}
	ids, err := s.ids(ctx, serverID, typ, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Resource, n)
	for i := range out {
		out[i] = Resource{Type: typ, ID: ids[keys[i]], Attributes: attrs(i)}
	}
	return out, nil
}

// listOn serves a *.list method: the body names a server, list reads it.
func (s *Server) listOn(list lister) func(ctx context.Context, c *Call) (Document, error) {
	return func(ctx context.Context, c *Call) (Document, error) {
		var b serverRef
		if err := c.Decode(&b); err != nil {
			return Document{}, err
		}
		row, h, err := s.hostOf(ctx, c, &b)
		if err != nil {
			return Document{}, err
		}
		items, err := list(ctx, h, row.ID)
		if err != nil {
			return Document{}, err
		}
		return Many(items), nil
	}
}

func (s *Server) liveProfiles(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error) {
	list, err := h.Profiles(ctx)
	if err != nil {
		return nil, err
	}
	return s.resources(ctx, serverID, "profile", len(list), func(i int) string { return list[i].Name },
		func(i int) map[string]any {
			p := list[i]
			return map[string]any{"provider": server.Provider, "profile_name": p.Name, "profile_body": p.Body,
				"profile_description": p.Description, "profile_used_by": strings.Join(p.UsedBy, ",")}
		})
}

func (s *Server) liveCertificates(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error) {
	list, err := h.Certificates(ctx)
	if err != nil {
		return nil, err
	}
	return s.resources(ctx, serverID, "certificate", len(list), func(i int) string { return list[i].Fingerprint },
		func(i int) map[string]any {
			c := list[i]
			return map[string]any{"provider": server.Provider, "certificate_fingerprint": c.Fingerprint,
				"certificate_name": c.Name, "certificate_type": c.Type, "certificate_restricted": c.Restricted}
		})
}

func (s *Server) livePools(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error) {
	list, err := h.Pools(ctx)
	if err != nil {
		return nil, err
	}
	return s.resources(ctx, serverID, "pool", len(list), func(i int) string { return list[i].Name },
		func(i int) map[string]any {
			p := list[i]
			return map[string]any{"provider": server.Provider, "pool_name": p.Name, "pool_driver": p.Driver,
				"pool_source": p.Source, "pool_status": p.Status, "pool_description": p.Description,
				"pool_space_total": p.SpaceTotal, "pool_space_used": p.SpaceUsed,
				"pool_inodes_total": p.InodesTotal, "pool_inodes_used": p.InodesUsed}
		})
}

func (s *Server) liveVolumes(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error) {
	list, err := h.Volumes(ctx)
	if err != nil {
		return nil, err
	}
	return s.resources(ctx, serverID, "volume", len(list),
		func(i int) string { return list[i].Pool + "/" + list[i].Type + "/" + list[i].Name },
		func(i int) map[string]any {
			v := list[i]
			return map[string]any{"provider": server.Provider, "pool_name": v.Pool, "volume_name": v.Name,
				"volume_type": v.Type, "volume_content_type": v.ContentType, "volume_used_by": v.UsedBy}
		})
}

func (s *Server) liveNetworks(ctx context.Context, h lxd.Host, serverID int64) ([]Resource, error) {
	list, err := h.Networks(ctx)
	if err != nil {
		return nil, err
	}
	return s.resources(ctx, serverID, "network", len(list), func(i int) string { return list[i].Name },
		func(i int) map[string]any {
			n := list[i]
			addr := n.IPv4Address
			if addr == "" {
				addr = n.IPv6Address
			}
			return map[string]any{"provider": server.Provider, "network_name": n.Name, "network_type": n.Type,
				"network_addr": addr, "network_managed": n.Managed, "network_status": n.Status,
				"network_description": n.Description}
		})
}

// liveInstances lists serverID's instances for server.get's included,
// from the instances read model (kept current from LXD's own events), so
// their ids are the ones instance.list and instance.get use.
func (s *Server) liveInstances(ctx context.Context, _ lxd.Host, serverID int64) ([]Resource, error) {
	rows, _, err := s.rm.InstanceSummaries(ctx, serverID)
	if err != nil {
		return nil, err
	}
	items := make([]Resource, len(rows))
	for i, in := range rows {
		items[i] = Resource{Type: "instance", ID: in.ID, Attributes: instanceAttrs(in)}
	}
	return items, nil
}
