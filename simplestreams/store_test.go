package simplestreams_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	ss "github.com/uivmm/uivmm/simplestreams"
)

// ingestFile ingests the file at path into st.
func ingestFile(t testing.TB, st *ss.Store, path string) (ss.Blob, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return st.Ingest(context.Background(), f)
}

func mustIngest(t testing.TB, st *ss.Store, path string) ss.Blob {
	t.Helper()
	b, err := ingestFile(t, st, path)
	if err != nil {
		t.Fatalf("ingest %s: %v", filepath.Base(path), err)
	}
	return b
}

func fileSHA(t testing.TB, paths ...string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// assertNoTemps fails if an upload temp file was left in the store.
func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(entries) != 0 {
		t.Fatalf("%d temp files left behind, first %s", len(entries), entries[0].Name())
	}
}

func TestIngestDetectsRoleByContent(t *testing.T) {
	// Misleading names: the store never sees names, only bytes.
	misnamed := filepath.Join(t.TempDir(), "meta.tar.xz")
	if err := os.Link(fx.squashfs, misnamed); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want ss.Role
	}{
		{"metadata tar.xz", fx.metaXZ, ss.RoleMetadata},
		{"metadata tar.gz", fx.metaGZ, ss.RoleMetadata},
		{"squashfs", fx.squashfs, ss.RoleSquashfs},
		{"squashfs named meta.tar.xz", misnamed, ss.RoleSquashfs},
		{"rootfs tar.xz", fx.rootTarXZ, ss.RoleRootTarXZ},
		{"rootfs tar.gz", fx.rootTarGZ, ss.RoleRootTarXZ},
		{"qcow2", fx.qcow2, ss.RoleDiskKVM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			b := mustIngest(t, ss.NewStore(dir, 0), tc.path)
			info, _ := os.Stat(tc.path)
			if b.Role != tc.want || b.SHA256 != fileSHA(t, tc.path) || b.Size != info.Size() {
				t.Fatalf("got %+v, want role %s sha %s size %d", b, tc.want, fileSHA(t, tc.path), info.Size())
			}
			if b.Path != filepath.Join(dir, "blobs", "sha256", b.SHA256) || fileSHA(t, b.Path) != b.SHA256 {
				t.Fatalf("blob not stored at its content address: %s", b.Path)
			}
			assertNoTemps(t, dir)
		})
	}
}

func TestIngestRefuses(t *testing.T) {
	unified := makeUnified(t)
	plainTar := filepath.Join(t.TempDir(), "plain.tar")
	if err := runTarFlags("-cf", fx.rootfs, plainTar, "."); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"random bytes", writeTemp(t, bytes.Repeat([]byte("not an image "), 100)), ss.ErrUnknownFileType},
		{"empty file", writeTemp(t, nil), ss.ErrUnknownFileType},
		{"uncompressed tar", plainTar, ss.ErrUnknownFileType},
		{"unified tarball", unified, ss.ErrUnknownFileType},
		{"truncated metadata xz", truncatedCopy(t, fx.metaXZ, -40), ss.ErrTruncated},
		{"truncated metadata gz", truncatedCopy(t, fx.metaGZ, -10), ss.ErrTruncated},
		{"truncated squashfs", truncatedCopy(t, fx.squashfs, 8192), ss.ErrTruncated},
		{"squashfs superblock only", truncatedCopy(t, fx.squashfs, 50), ss.ErrTruncated},
		{"truncated qcow2 header", truncatedCopy(t, fx.qcow2, 64), ss.ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := ingestFile(t, ss.NewStore(dir, 0), tc.path)
			t.Logf("error: %v", err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			assertNoTemps(t, dir)
			if entries, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256")); len(entries) != 0 {
				t.Fatalf("refused file was stored")
			}
		})
	}
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeUnified builds a unified image tarball: metadata.yaml and rootfs/.
func makeUnified(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	yaml, err := os.ReadFile(filepath.Join(filepath.Dir(fx.metaXZ), "meta-xz", "metadata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "metadata.yaml"), yaml, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fx.rootfs, filepath.Join(src, "rootfs")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "unified.tar.xz")
	// -h follows the rootfs symlink so the tree is archived under rootfs/.
	if err := runTarFlags("-cJhf", src, out, "metadata.yaml", "rootfs/"); err != nil {
		t.Fatal(err)
	}
	return out
}

func runTarFlags(flags, dir, out string, members ...string) error {
	return run("tar", append([]string{"-C", dir, flags, out}, members...)...)
}

func TestIngestTooLargeLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	info, _ := os.Stat(fx.squashfs)
	st := ss.NewStore(dir, info.Size()-1)
	_, err := ingestFile(t, st, fx.squashfs)
	if !errors.Is(err, ss.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	assertNoTemps(t, dir)
	// Exactly the limit is fine.
	if _, err := ingestFile(t, ss.NewStore(dir, info.Size()), fx.squashfs); err != nil {
		t.Fatalf("file of exactly maxSize refused: %v", err)
	}
}

func TestIngestCancelledLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	r := io.MultiReader(bytes.NewReader([]byte("hsqs")), readerFunc(func(p []byte) (int, error) {
		cancel()
		return len(p), nil
	}))
	_, err := ss.NewStore(dir, 0).Ingest(ctx, r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	assertNoTemps(t, dir)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestIngestIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	st := ss.NewStore(dir, 0)
	a := mustIngest(t, st, fx.metaXZ)
	b := mustIngest(t, st, fx.metaXZ)
	if a != b {
		t.Fatalf("second ingest gave %+v, first %+v", b, a)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if len(entries) != 1 {
		t.Fatalf("%d blobs stored, want 1", len(entries))
	}
	assertNoTemps(t, dir)
}

func TestStoreOpenStatRemove(t *testing.T) {
	st := ss.NewStore(t.TempDir(), 0)
	b := mustIngest(t, st, fx.squashfs)
	f, err := st.Open(b.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := st.Stat(context.Background(), b.SHA256)
	if err != nil || got != b {
		t.Fatalf("Stat = %+v, %v; want %+v", got, err, b)
	}
	for _, bad := range []string{"../../etc/passwd", "ABC", b.SHA256[:63]} {
		if _, err := st.Open(bad); !errors.Is(err, ss.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if err := st.Remove(b.SHA256); err != nil {
		t.Fatal(err)
	}
	if err := st.Remove(b.SHA256); err != nil {
		t.Fatalf("second Remove: %v (must be idempotent)", err)
	}
	if _, err := st.Open(b.SHA256); !errors.Is(err, ss.ErrNotFound) {
		t.Fatalf("Open after Remove = %v, want ErrNotFound", err)
	}
}

func TestGCRemovesOnlyOldOrphans(t *testing.T) {
	dir := t.TempDir()
	st := ss.NewStore(dir, 0)
	keep := mustIngest(t, st, fx.metaXZ)
	orphan := mustIngest(t, st, fx.squashfs)
	young := mustIngest(t, st, fx.rootTarXZ)
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{keep.Path, orphan.Path} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	abandoned := filepath.Join(dir, "tmp", "upload-abandoned")
	if err := os.WriteFile(abandoned, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(abandoned, old, old)

	removed, err := st.GC(context.Background(), map[string]bool{keep.SHA256: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != orphan.SHA256 {
		t.Fatalf("removed %v, want only %s", removed, orphan.SHA256)
	}
	for _, b := range []ss.Blob{keep, young} {
		if _, err := os.Stat(b.Path); err != nil {
			t.Errorf("GC removed %s blob that must stay: %v", b.Role, err)
		}
	}
	assertNoTemps(t, dir)
}
