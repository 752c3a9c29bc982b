package lxd_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

const (
	ssProduct = "busybox:test:amd64:default"
	ssSerial  = "20261126_1200"
	ssAlias   = "busybox/uivmm-test"
)

// manifest reads files/manifest.env written by scripts/lxd-testenv.sh.
func manifest(t *testing.T, e testEnv) map[string]string {
	t.Helper()
	if e.Files == "" {
		t.Fatalf("UIVMM_TEST_LXD_FILES is not set: %s", testdaemon.UpHint)
	}
	f, err := os.Open(filepath.Join(e.Files, "manifest.env"))
	if err != nil {
		t.Fatalf("reading the image manifest: %v; %s", err, testdaemon.UpHint)
	}
	defer func() { _ = f.Close() }()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

// simplestreams serves the busybox lxd.tar.xz + squashfs pair as a
// one-product simplestreams server on plain http loopback.
func simplestreams(t *testing.T, e testEnv) (*httptest.Server, map[string]string) {
	t.Helper()
	m := manifest(t, e)
	size := func(k string) int64 {
		n, err := strconv.ParseInt(m[k], 10, 64)
		if err != nil {
			t.Fatalf("manifest %s: %v", k, err)
		}
		return n
	}
	index := map[string]any{"format": "index:1.0", "index": map[string]any{"images": map[string]any{
		"datatype": "image-downloads", "path": "streams/v1/images.json", "format": "products:1.0",
		"products": []string{ssProduct},
	}}}
	items := map[string]any{
		"lxd.tar.xz": map[string]any{"ftype": "lxd.tar.xz", "path": "files/lxd.tar.xz",
			"sha256": m["LXD_TAR_XZ_SHA256"], "size": size("LXD_TAR_XZ_SIZE"),
			"combined_squashfs_sha256": m["SQUASHFS_FINGERPRINT"]},
		"root.squashfs": map[string]any{"ftype": "squashfs", "path": "files/rootfs.squashfs",
			"sha256": m["ROOTFS_SQUASHFS_SHA256"], "size": size("ROOTFS_SQUASHFS_SIZE")},
	}
	images := map[string]any{"format": "products:1.0", "content_id": "images", "datatype": "image-downloads",
		"products": map[string]any{ssProduct: map[string]any{
			"arch": "amd64", "os": "busybox", "release": "test", "release_title": "test", "variant": "default",
			"aliases": ssAlias, "versions": map[string]any{ssSerial: map[string]any{"items": items}},
		}}}
	mux := http.NewServeMux()
	serveJSON := func(path string, v any) {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
		})
	}
	serveJSON("/streams/v1/index.json", index)
	serveJSON("/streams/v1/images.json", images)
	mux.Handle("/files/", http.StripPrefix("/files/", http.FileServer(http.Dir(e.Files))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, m
}

func TestRemoteImagesAndCreateFromARemote(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	ss, m := simplestreams(t, e)

	images, err := srv.RemoteImages(ctx(t), ss.URL, "")
	if err != nil {
		t.Fatalf("RemoteImages: %v", err)
	}
	if len(images) != 1 {
		t.Fatalf("RemoteImages = %+v, want the one image", images)
	}
	im := images[0]
	if im.Fingerprint != m["SQUASHFS_FINGERPRINT"] || im.OS != "busybox" || im.Release != "test" ||
		im.Serial != ssSerial || im.Architecture != "x86_64" || im.Type != "container" {
		t.Errorf("remote image = %+v", im)
	}
	if _, err := srv.RemoteImages(ctx(t), "http://127.0.0.1:"+strconv.Itoa(closedPort(t)), ""); err == nil {
		t.Errorf("RemoteImages of a closed port succeeded")
	}

	// The host downloads the image from the loopback server, by fingerprint.
	inst := name("uivmm-r")
	t.Cleanup(func() {
		removeInstance(t, e, inst)
		if op, err := e.Admin(t).DeleteImage(im.Fingerprint); err == nil {
			_ = op.Wait()
		}
	})
	spec := lxd.InstanceSpec{Name: inst, Source: lxd.ImageSource{Server: ss.URL, Image: im.Fingerprint}}
	if err := srv.CreateInstance(ctx(t), spec); err != nil {
		t.Fatalf("CreateInstance from %s: %v", ss.URL, err)
	}
	got, err := srv.Instance(ctx(t), inst)
	if err != nil || got.Status != "stopped" || got.ImageOS != "busybox" || got.ImageRelease != "test" {
		t.Errorf("instance from the remote = %+v, %v", got, err)
	}
	if err := srv.DeleteInstance(ctx(t), inst); err != nil {
		t.Fatalf("DeleteInstance: %v", err)
	}
	if err := srv.DeleteImage(ctx(t), im.Fingerprint); err != nil {
		t.Errorf("DeleteImage of the cached image: %v", err)
	}
}
