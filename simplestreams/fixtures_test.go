package simplestreams_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// fx holds the image files every test uses, built once by TestMain from a
// busybox rootfs as in /work/shared/notes/lxd.md.
var fx struct {
	dir        string
	rootfs     string // the busybox tree
	metaXZ     string // tar.xz, architecture x86_64
	metaGZ     string // tar.gz, architecture x86_64
	squashfs   string
	rootTarXZ  string
	rootTarGZ  string
	qcow2      string // synthetic, self-contained
	metaARM    string // tar.xz, architecture aarch64
	metaNoArch string // tar.xz, metadata.yaml without architecture
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "simplestreams-fixtures-")
	if err == nil {
		err = buildFixtures(dir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "building test fixtures: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildFixtures(dir string) error {
	for tool, pkg := range map[string]string{"busybox": "busybox-static", "mksquashfs": "squashfs-tools",
		"xz": "xz-utils", "tar": "tar", "gzip": "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: install %s to run these tests", tool, pkg)
		}
	}
	fx.dir = dir
	fx.rootfs = filepath.Join(dir, "rootfs")
	if err := makeBusyboxRootfs(fx.rootfs); err != nil {
		return err
	}
	var err error
	steps := []func() error{
		func() error { fx.metaXZ, err = makeMetadata(dir, "meta-xz", "x86_64", "J"); return err },
		func() error { fx.metaGZ, err = makeMetadata(dir, "meta-gz", "x86_64", "z"); return err },
		func() error { fx.metaARM, err = makeMetadata(dir, "meta-arm", "aarch64", "J"); return err },
		func() error { fx.metaNoArch, err = makeMetadata(dir, "meta-noarch", "", "J"); return err },
		func() error {
			fx.squashfs = filepath.Join(dir, "rootfs.squashfs")
			return run("mksquashfs", fx.rootfs, fx.squashfs, "-noappend", "-comp", "xz", "-all-root", "-quiet")
		},
		func() error {
			fx.rootTarXZ = filepath.Join(dir, "root.tar.xz")
			return run("tar", "-C", fx.rootfs, "-cJf", fx.rootTarXZ, ".")
		},
		func() error {
			fx.rootTarGZ = filepath.Join(dir, "root.tar.gz")
			return run("tar", "-C", fx.rootfs, "-czf", fx.rootTarGZ, ".")
		},
		func() error { fx.qcow2 = filepath.Join(dir, "disk.qcow2"); return writeQcow2(fx.qcow2) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func makeBusyboxRootfs(root string) error {
	for _, d := range []string{"bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "run", "var"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return err
	}
	if err := run("cp", bb, filepath.Join(root, "bin", "busybox")); err != nil {
		return err
	}
	for link, target := range map[string]string{"bin/sh": "busybox", "bin/init": "busybox", "sbin/init": "../bin/busybox"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			return err
		}
	}
	return nil
}

// makeMetadata writes metadata.yaml (architecture omitted when arch is "")
// and packs it with tar flag J (xz) or z (gzip).
func makeMetadata(dir, name, arch, flag string) (string, error) {
	src := filepath.Join(dir, name)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	yaml := "creation_date: 1764000000\nproperties:\n  description: busybox test image\n  os: busybox\n  release: \"1\"\n"
	if arch != "" {
		yaml = "architecture: " + arch + "\n" + yaml
	}
	if err := os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte(yaml), 0o644); err != nil {
		return "", err
	}
	ext := map[string]string{"J": ".tar.xz", "z": ".tar.gz"}[flag]
	out := filepath.Join(dir, name+ext)
	return out, run("tar", "-C", src, "-c"+flag+"f", out, "metadata.yaml")
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}

// writeQcow2 writes a minimal valid qcow2 v3 image with 64 KiB clusters:
// header, refcount table, refcount block, L1, one L2 and one data cluster.
func writeQcow2(path string) error {
	const cluster = 1 << 16
	img := make([]byte, 6*cluster)
	be := binary.BigEndian
	copy(img, "QFI\xfb")
	be.PutUint32(img[4:], 3)               // version
	be.PutUint32(img[20:], 16)             // cluster_bits
	be.PutUint64(img[24:], 1<<30)          // virtual size 1 GiB
	be.PutUint32(img[36:], 2)              // l1_size (512 MiB per L2 table)
	be.PutUint64(img[40:], 3*cluster)      // l1_table_offset
	be.PutUint64(img[48:], 1*cluster)      // refcount_table_offset
	be.PutUint32(img[56:], 1)              // refcount_table_clusters
	be.PutUint32(img[96:], 4)              // refcount_order (16 bit)
	be.PutUint32(img[100:], 104)           // header_length
	be.PutUint64(img[cluster:], 2*cluster) // refcount table -> block
	for i := range 6 {
		be.PutUint16(img[2*cluster+2*i:], 1) // every cluster used once
	}
	be.PutUint64(img[3*cluster:], 4*cluster|1<<63) // L1[0] -> L2
	be.PutUint64(img[4*cluster:], 5*cluster|1<<63) // L2[0] -> data
	copy(img[5*cluster:], "hello from a qcow2 data cluster")
	return os.WriteFile(path, img, 0o644)
}

// truncatedCopy writes the first n bytes of src to a new file.
func truncatedCopy(t testing.TB, src string, n int64) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n < 0 {
		n += int64(len(data))
	}
	dst := filepath.Join(t.TempDir(), "truncated")
	if err := os.WriteFile(dst, data[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
