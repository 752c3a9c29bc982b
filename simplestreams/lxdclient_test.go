package simplestreams_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lxd "github.com/canonical/lxd/client"

	ss "github.com/uivmm/uivmm/simplestreams"
)

// serve is the smallest image server a real handler would be: the two
// rendered documents plus blobs by path, under a sub-path remote URL.
func serve(t *testing.T, pub published) *httptest.Server {
	t.Helper()
	index, err := ss.RenderIndex(pub.products)
	if err != nil {
		t.Fatal(err)
	}
	images, err := ss.RenderImages(pub.products)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "/api/v1/simplestream.list/"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := strings.CutPrefix(r.URL.Path, prefix)
		switch {
		case !ok:
			http.NotFound(w, r)
		case p == ss.IndexPath:
			_, _ = w.Write(index)
		case p == ss.ImagesPath:
			_, _ = w.Write(images)
		default:
			sha, ok := ss.ResolvePath(p)
			if !ok {
				http.NotFound(w, r)
				return
			}
			f, err := pub.store.Open(sha)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			defer f.Close()
			http.ServeContent(w, r, "", time.Time{}, f)
		}
	}))
	t.Cleanup(srv.Close)
	srv.URL += strings.TrimSuffix(prefix, "/")
	return srv
}

// TestLXDClientDownloadsAndVerifies drives LXD's own simplestreams client
// (the code the daemon runs) against the rendered stream: it must list the
// images, resolve the alias to the newest version, and download both files
// with their sha256 checked; their concatenation must hash to the
// fingerprint.
func TestLXDClientDownloadsAndVerifies(t *testing.T) {
	pub := publishAll(t)
	srv := serve(t, pub)
	remote, err := lxd.ConnectSimpleStreams(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	fps, err := remote.GetImageFingerprints()
	if err != nil || len(fps) != 3 {
		t.Fatalf("fingerprints %v, %v; want 3", fps, err)
	}
	newest := pub.fp["busybox:1:amd64:default"]["20261127_0900"]
	alias, _, err := remote.GetImageAliasType("container", "tiny")
	if err != nil || alias.Target != newest {
		t.Fatalf("alias tiny -> %+v, %v; want %s", alias, err, newest)
	}
	vmAlias, _, err := remote.GetImageAliasType("virtual-machine", "tiny-vm")
	if err != nil || vmAlias.Target != pub.fp["busybox:1:amd64:vm"]["20261126"] {
		t.Fatalf("alias tiny-vm -> %+v, %v", vmAlias, err)
	}
	for _, fp := range fps {
		if got := download(t, remote, fp); got != fp {
			t.Errorf("downloaded files hash to %s, want fingerprint %s", got, fp)
		}
	}
}

// download fetches an image's two files through LXD's client and returns
// sha256(meta||rootfs).
func download(t *testing.T, remote lxd.ImageServer, fp string) string {
	t.Helper()
	dir := t.TempDir()
	meta, _ := os.Create(filepath.Join(dir, "meta"))
	root, _ := os.Create(filepath.Join(dir, "root"))
	defer meta.Close()
	defer root.Close()
	resp, err := remote.GetImageFile(fp, lxd.ImageFileRequest{MetaFile: meta, RootfsFile: root})
	if err != nil {
		t.Fatalf("GetImageFile(%s): %v", fp, err)
	}
	if resp.MetaName != "lxd.tar.xz" {
		t.Errorf("meta file name %q", resp.MetaName)
	}
	h := sha256.New()
	for _, f := range []*os.File{meta, root} {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(h, f); err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
