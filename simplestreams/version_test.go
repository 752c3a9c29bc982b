package simplestreams_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	ss "github.com/uivmm/uivmm/simplestreams"
)

var amd64 = ss.Product{OS: "busybox", Release: "1", Arch: "amd64", Aliases: "tiny"}

func TestBuildVersionFingerprintAndKeys(t *testing.T) {
	tests := []struct {
		name     string
		meta     string
		rootfs   string
		wantKeys []string
	}{
		{"squashfs", fx.metaXZ, fx.squashfs, []string{"combined_squashfs_sha256"}},
		{"root.tar.xz", fx.metaXZ, fx.rootTarXZ, []string{"combined_rootxz_sha256", "combined_sha256"}},
		{"gzip metadata and rootfs", fx.metaGZ, fx.rootTarGZ, []string{"combined_rootxz_sha256", "combined_sha256"}},
		{"disk-kvm.img", fx.metaXZ, fx.qcow2, []string{"combined_disk-kvm-img_sha256"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := ss.NewStore(t.TempDir(), 0)
			meta, root := mustIngest(t, st, tc.meta), mustIngest(t, st, tc.rootfs)
			v, err := ss.BuildVersion(context.Background(), amd64, meta, root)
			if err != nil {
				t.Fatal(err)
			}
			if want := fileSHA(t, tc.meta, tc.rootfs); v.Fingerprint != want {
				t.Fatalf("fingerprint %s, want sha256(meta||rootfs) %s", v.Fingerprint, want)
			}
			if got := ss.CombinedHashKeys(root.Role); !slices.Equal(got, tc.wantKeys) {
				t.Fatalf("combined keys %v, want %v", got, tc.wantKeys)
			}
			if v.Architecture != "x86_64" || v.CreationDate.Unix() != 1764000000 || v.Properties["os"] != "busybox" {
				t.Fatalf("metadata not read: %+v", v)
			}
		})
	}
}

func TestBuildVersionRefuses(t *testing.T) {
	st := ss.NewStore(t.TempDir(), 0)
	meta, squash := mustIngest(t, st, fx.metaXZ), mustIngest(t, st, fx.squashfs)
	tests := []struct {
		name    string
		product ss.Product
		meta    func(t *testing.T) ss.Blob
		rootfs  func(t *testing.T) ss.Blob
		want    error
	}{
		{"metadata arch differs from product", withArch("arm64"), fixed(meta), fixed(squash), ss.ErrBadArch},
		{"aarch64 metadata for amd64 product", amd64, ingested(st, fx.metaARM), fixed(squash), ss.ErrBadArch},
		{"metadata without architecture", amd64, ingested(st, fx.metaNoArch), fixed(squash), ss.ErrBadArch},
		{"rootfs given as metadata", amd64, fixed(squash), fixed(squash), ss.ErrMissingMetadata},
		{"metadata given as rootfs", amd64, fixed(meta), fixed(meta), ss.ErrMissingRootfs},
		{"role recorded wrongly", amd64, fixed(meta), relabel(squash, ss.RoleDiskKVM), ss.ErrMissingRootfs},
		{"blob changed on disk", amd64, fixed(meta), tampered(st), ss.ErrCorrupt},
		{"truncated root.tar.xz", amd64, fixed(meta), ingested(st, truncatedCopy(t, fx.rootTarXZ, -100)), ss.ErrTruncated},
		{"truncated root.tar.gz", amd64, fixed(meta), ingested(st, truncatedCopy(t, fx.rootTarGZ, -100)), ss.ErrTruncated},
		{"tar without end marker", amd64, ingested(st, noTrailerMeta(t)), fixed(squash), ss.ErrTruncated},
		{"qcow2 cut after its tables", amd64, fixed(meta), ingested(st, truncatedCopy(t, fx.qcow2, 5<<16)), ss.ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ss.BuildVersion(context.Background(), tc.product, tc.meta(t), tc.rootfs(t))
			t.Logf("error: %v", err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBuildVersionLenientArch(t *testing.T) {
	st := ss.NewStore(t.TempDir(), 0)
	meta, root := mustIngest(t, st, fx.metaARM), mustIngest(t, st, fx.squashfs)
	for _, arch := range []string{"arm64", "aarch64"} {
		if _, err := ss.BuildVersion(context.Background(), withArch(arch), meta, root); err != nil {
			t.Errorf("product arch %s with aarch64 metadata: %v", arch, err)
		}
	}
}

func withArch(arch string) ss.Product { p := amd64; p.Arch = arch; return p }

func fixed(b ss.Blob) func(*testing.T) ss.Blob { return func(*testing.T) ss.Blob { return b } }

func relabel(b ss.Blob, r ss.Role) func(*testing.T) ss.Blob {
	b.Role = r
	return fixed(b)
}

func ingested(st *ss.Store, path string) func(*testing.T) ss.Blob {
	return func(t *testing.T) ss.Blob { return mustIngest(t, st, path) }
}

// tampered ingests a rootfs tarball, then flips a byte of the stored copy.
func tampered(st *ss.Store) func(*testing.T) ss.Blob {
	return func(t *testing.T) ss.Blob {
		b := mustIngest(t, st, fx.rootTarGZ)
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(b.Path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// noTrailerMeta is a metadata tarball whose tar stream stops after the
// member data, without the two zero blocks, then xz-compressed intact.
func noTrailerMeta(t *testing.T) string {
	dir := t.TempDir()
	plain := filepath.Join(dir, "meta.tar")
	if err := runTarFlags("-cf", filepath.Join(filepath.Dir(fx.metaXZ), "meta-xz"), plain, "metadata.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(plain, 1024); err != nil { // header + one data block
		t.Fatal(err)
	}
	if err := run("xz", "-z", plain); err != nil {
		t.Fatal(err)
	}
	return plain + ".xz"
}
