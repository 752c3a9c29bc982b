package lxd

import (
	"context"
	"errors"
	"strings"

	"github.com/canonical/lxd/shared/api"
)

// Network is a network the host knows, managed by LXD or not.
type Network struct {
	Name        string
	Type        string // "bridge", "physical", "loopback", ...
	Managed     bool
	Description string
	Status      string // lower case; "" for unmanaged networks
	IPv4Address string // ipv4.address, "" when unset or "none"
	IPv6Address string // ipv6.address, "" when unset or "none"
	UsedBy      []string
}

// Networks lists the host's networks.
func (s *Server) Networks(ctx context.Context) ([]Network, error) {
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetNetworks()
	if err != nil {
		return nil, wrap("listing networks", err)
	}
	out := make([]Network, 0, len(list))
	for _, n := range list {
		out = append(out, Network{
			Name: n.Name, Type: n.Type, Managed: n.Managed, Description: n.Description,
			Status:      strings.ToLower(n.Status),
			IPv4Address: address(n.Config["ipv4.address"]),
			IPv6Address: address(n.Config["ipv6.address"]),
			UsedBy:      n.UsedBy,
		})
	}
	return out, nil
}

func address(v string) string {
	if v == "none" {
		return ""
	}
	return v
}

// Pool is a storage pool with its usage. Space is in bytes.
type Pool struct {
	Name        string
	Driver      string
	Source      string
	Status      string // lower case: "created", ...
	Description string
	SpaceTotal  uint64
	SpaceUsed   uint64
	InodesTotal uint64
	InodesUsed  uint64
}

// Pools lists the storage pools with their resources. A pool whose
// resources LXD cannot read (an unavailable pool) is listed with zeros.
func (s *Server) Pools(ctx context.Context) ([]Pool, error) {
	const op = "listing storage pools"
	c, cancel := s.client(ctx)
	defer cancel()
	list, err := c.GetStoragePools()
	if err != nil {
		return nil, wrap(op, err)
	}
	out := make([]Pool, 0, len(list))
	for _, p := range list {
		pool := Pool{Name: p.Name, Driver: p.Driver, Source: p.Config["source"],
			Status: strings.ToLower(p.Status), Description: p.Description}
		res, err := c.GetStoragePoolResources(p.Name)
		var lxdErr api.StatusError
		switch {
		case err == nil:
			pool.SpaceTotal, pool.SpaceUsed = res.Space.Total, res.Space.Used
			pool.InodesTotal, pool.InodesUsed = res.Inodes.Total, res.Inodes.Used
		case !errors.As(err, &lxdErr):
			return nil, wrap(op, err)
		}
		out = append(out, pool)
	}
	return out, nil
}

// Volume is a storage volume. UsedBy is comma-separated API paths.
type Volume struct {
	Pool        string
	Name        string
	Type        string // "container", "virtual-machine", "image", "custom"
	ContentType string // "filesystem" or "block"
	Description string
	UsedBy      string
}

// Volumes lists the volumes of every storage pool.
func (s *Server) Volumes(ctx context.Context) ([]Volume, error) {
	const op = "listing storage volumes"
	c, cancel := s.client(ctx)
	defer cancel()
	pools, err := c.GetStoragePoolNames()
	if err != nil {
		return nil, wrap(op, err)
	}
	var out []Volume
	for _, pool := range pools {
		vols, err := c.GetStoragePoolVolumes(pool)
		if err != nil {
			return nil, wrap(op, err)
		}
		for _, v := range vols {
			out = append(out, Volume{Pool: pool, Name: v.Name, Type: v.Type, ContentType: v.ContentType,
				Description: v.Description, UsedBy: strings.Join(v.UsedBy, ",")})
		}
	}
	return out, nil
}
