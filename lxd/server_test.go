package lxd_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/lxd"
)

func TestInfo(t *testing.T) {
	e := env(t)
	srv, _, pinned := e.connect(t)
	info, err := srv.Info(ctx(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Server != "lxd" || info.ServerVersion == "" || info.Storage == "" || info.Driver == "" {
		t.Errorf("Info names: server %q %q storage %q driver %q", info.Server, info.ServerVersion, info.Storage, info.Driver)
	}
	if info.CPUThreads <= 0 || info.CPUCores <= 0 || info.MemoryTotalMiB <= 0 || info.MemoryUsedMiB <= 0 {
		t.Errorf("Info resources: cores %d threads %d memory %d/%d MiB", info.CPUCores, info.CPUThreads, info.MemoryUsedMiB, info.MemoryTotalMiB)
	}
	if info.KernelArchitecture == "" || info.KernelVersion == "" {
		t.Errorf("Info kernel: %q %q", info.KernelArchitecture, info.KernelVersion)
	}
	if !slices.Contains(strings.Split(info.SupportedInstanceTypes, ","), "container") {
		t.Errorf("SupportedInstanceTypes = %q, want container in it", info.SupportedInstanceTypes)
	}
	if !slices.Contains(info.Addresses, e.Host+":"+strconv.Itoa(e.Port)) {
		t.Errorf("Addresses = %v, want the HTTPS address", info.Addresses)
	}
	if info.CertificateFingerprint != pinned.Fingerprint {
		t.Errorf("Info certificate %s, pinned %s", info.CertificateFingerprint, pinned.Fingerprint)
	}
	fp, err := srv.GetServerCertFingerprint(ctx(t))
	if err != nil || fp != pinned.Fingerprint {
		t.Errorf("GetServerCertFingerprint = %q, %v; want %s", fp, err, pinned.Fingerprint)
	}
}

func TestListsOfTheHost(t *testing.T) {
	e := env(t)
	srv, id, _ := e.connect(t)

	t.Run("images", func(t *testing.T) {
		images, err := srv.Images(ctx(t))
		if err != nil {
			t.Fatalf("Images: %v", err)
		}
		i := slices.IndexFunc(images, func(im lxd.Image) bool { return slices.Contains(im.Aliases, e.Image) })
		if i < 0 {
			t.Fatalf("Images has no alias %q: %+v", e.Image, images)
		}
		if im := images[i]; len(im.Fingerprint) != 64 || im.OS != "busybox" || im.Type != "container" ||
			im.Size <= 0 || im.Architecture == "" || im.UploadedAt.IsZero() || im.Cached {
			t.Errorf("busybox image = %+v", im)
		}
	})
	t.Run("networks", func(t *testing.T) {
		networks, err := srv.Networks(ctx(t))
		if err != nil {
			t.Fatalf("Networks: %v", err)
		}
		n := slices.IndexFunc(networks, func(n lxd.Network) bool { return n.Name == e.Bridge })
		if n < 0 {
			t.Fatalf("Networks has no %q: %+v", e.Bridge, networks)
		}
		if br := networks[n]; br.Type != "bridge" || !br.Managed || br.IPv4Address != "" || br.IPv6Address != "" || br.Status != "created" {
			t.Errorf("bridge = %+v, want a managed bridge without addresses", br)
		}
	})
	t.Run("pools", func(t *testing.T) {
		pools, err := srv.Pools(ctx(t))
		if err != nil {
			t.Fatalf("Pools: %v", err)
		}
		p := slices.IndexFunc(pools, func(p lxd.Pool) bool { return p.Name == "default" })
		if p < 0 {
			t.Fatalf("Pools has no default: %+v", pools)
		}
		if pool := pools[p]; pool.Driver != "dir" || pool.Status != "created" || pool.Source == "" ||
			pool.SpaceTotal == 0 || pool.SpaceUsed == 0 || pool.InodesTotal == 0 {
			t.Errorf("default pool = %+v", pool)
		}
	})
	t.Run("volumes", func(t *testing.T) {
		if _, err := srv.Volumes(ctx(t)); err != nil {
			t.Errorf("Volumes: %v", err)
		}
	})
	t.Run("certificates", func(t *testing.T) {
		certs, err := srv.Certificates(ctx(t))
		if err != nil {
			t.Fatalf("Certificates: %v", err)
		}
		c := slices.IndexFunc(certs, func(c lxd.Certificate) bool { return c.Fingerprint == id.Fingerprint() })
		if c < 0 || certs[c].Type != "client" || certs[c].Name != lxd.DefaultClientName {
			t.Errorf("Certificates lacks uivmm's client certificate %s: %+v", id.Fingerprint(), certs)
		}
	})
}

func TestDeleteCertificate(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	other := identity(t)
	e.untrust(t, other)
	if _, err := lxd.Trust(ctx(t), e.Host, e.Port, e.Password, other); err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteCertificate(ctx(t), other.Fingerprint()); err != nil {
		t.Fatalf("DeleteCertificate: %v", err)
	}
	if _, _, err := e.Admin(t).GetCertificate(other.Fingerprint()); !isNotFound(err) {
		t.Errorf("deleted certificate still there (err %v)", err)
	}
	if err := srv.DeleteCertificate(ctx(t), other.Fingerprint()); !errors.Is(err, lxd.ErrNotFound) {
		t.Errorf("deleting it again = %v, want ErrNotFound", err)
	}
}

func TestRevokedTrustReadsAsNotTrusted(t *testing.T) {
	e := env(t)
	srv, id, pinned := e.connect(t)
	if err := e.Admin(t).DeleteCertificate(id.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	_, err := srv.Instances(ctx(t))
	if !errors.Is(err, lxd.ErrNotTrusted) {
		t.Errorf("Instances after the host dropped uivmm's certificate = %v, want ErrNotTrusted", err)
	}
	if _, err := lxd.Connect(ctx(t), e.Host, e.Port, pinned.CertPEM, id); !errors.Is(err, lxd.ErrNotTrusted) {
		t.Errorf("Connect after the host dropped uivmm's certificate = %v, want ErrNotTrusted", err)
	}
}
