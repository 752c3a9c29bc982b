package lxdtest

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
	"time"

	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// imageFields are the attributes every image item carries, whatever its
// shape (the contract's [P]: all image fields in every shape).
var imageFields = []string{"provider", "image_server_host", "image_server_protocol", "image_fingerprint",
	"image_description", "image_architecture", "image_instance_type", "image_cached", "image_last_used_at",
	"image_expires_at", "image_os", "image_release", "image_serial"}

func checkImageFields(t testing.TB, items []map[string]any) {
	t.Helper()
	checkIDs(t, items)
	for _, it := range items {
		if it["type"] != "image" {
			t.Fatalf("item of type %v in an image list", it["type"])
		}
		for _, k := range imageFields {
			if _, ok := attrs(it)[k]; !ok {
				t.Fatalf("image item lacks %s: %v", k, it)
			}
		}
	}
}

func TestImageListOfTheHost(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	for _, body := range []map[string]any{on(id), on(id, "image_server_host", "")} {
		list := h.MustOK("image.list", alice, body).List()
		checkImageFields(t, list)
		var busybox map[string]any
		for _, it := range list {
			if strings.Contains(","+attrs(it)["image_aliases"].(string)+",", ","+h.lxd.Image+",") {
				busybox = attrs(it)
			}
		}
		if busybox == nil || busybox["image_os"] != "busybox" || busybox["image_instance_type"] != "container" ||
			len(busybox["image_fingerprint"].(string)) != 64 || busybox["image_server_host"] != "" {
			t.Fatalf("no busybox image in %v", list)
		}
	}
}

// simplestreams serves a one-product simplestreams index over plain http
// on loopback: the busybox files of the test daemon.
func simplestreams(t testing.TB, d daemon) (*httptest.Server, map[string]string) {
	t.Helper()
	m := manifest(t, d)
	size := func(k string) int64 { n, _ := strconv.ParseInt(m[k], 10, 64); return n }
	const product = "busybox:test:amd64:default"
	index := map[string]any{"format": "index:1.0", "index": map[string]any{"images": map[string]any{
		"datatype": "image-downloads", "path": "streams/v1/images.json", "format": "products:1.0", "products": []string{product}}}}
	items := map[string]any{
		"lxd.tar.xz": map[string]any{"ftype": "lxd.tar.xz", "path": "files/lxd.tar.xz", "sha256": m["LXD_TAR_XZ_SHA256"],
			"size": size("LXD_TAR_XZ_SIZE"), "combined_squashfs_sha256": m["SQUASHFS_FINGERPRINT"]},
		"root.squashfs": map[string]any{"ftype": "squashfs", "path": "files/rootfs.squashfs",
			"sha256": m["ROOTFS_SQUASHFS_SHA256"], "size": size("ROOTFS_SQUASHFS_SIZE")},
	}
	images := map[string]any{"format": "products:1.0", "content_id": "images", "datatype": "image-downloads",
		"products": map[string]any{product: map[string]any{"arch": "amd64", "os": "busybox", "release": "test",
			"release_title": "test", "variant": "default", "aliases": "busybox/uivmm-test",
			"versions": map[string]any{"20261126_1200": map[string]any{"items": items}}}}}
	mux := http.NewServeMux()
	for path, v := range map[string]any{"/streams/v1/index.json": index, "/streams/v1/images.json": images} {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, m
}

func manifest(t testing.TB, d daemon) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(d.Files, "manifest.env"))
	if err != nil {
		t.Fatalf("reading the image manifest: %v; %s", err, testdaemon.UpHint)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

func TestImageListOfARemote(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	ss, m := simplestreams(t, h.lxd)

	for _, u := range []string{ss.URL, ss.URL + "/"} {
		list := h.MustOK("image.list", alice, on(id, "image_server_host", u)).List()
		checkImageFields(t, list)
		if len(list) != 1 {
			t.Fatalf("image.list of %s = %v, want the one image", u, list)
		}
		a := attrs(list[0])
		if a["image_fingerprint"] != m["SQUASHFS_FINGERPRINT"] || a["image_os"] != "busybox" || a["image_release"] != "test" ||
			a["image_serial"] != "20261126_1200" || a["image_server_host"] != ss.URL || a["image_server_protocol"] != "simplestreams" {
			t.Errorf("remote image = %v", a)
		}
	}
	for _, bad := range []string{"ftp://x", "not a url", "http://", "http://u:p@host"} {
		wantError(t, h.Call("image.list", alice, on(id, "image_server_host", bad)), 400, "http or https url")
	}
	wantError(t, h.Call("image.list", alice, on(id, "image_server_host", "http://127.0.0.1:"+strconv.Itoa(closedPort(t)))), 502, "")
}

func TestImageServerList(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		h := start(t, func(c *config.Config) { c.SimpleStream.Enabled = enabled })
		_, alice := h.user("alice", 4)
		id := h.addServer(t, alice, "")
		list := h.MustOK("image.serverList", alice, on(id)).List()
		checkImageFields(t, list)
		if len(list) == 0 || len(byAttr(list, "image_server_host", "https://images.linuxcontainers.org")) != 1 {
			t.Fatalf("image.serverList = %v", list)
		}
		own := byAttr(list, "image_server_host", h.URL+"/api/v1/simplestream.list")
		if enabled != (len(own) == 1) {
			t.Errorf("simplestream enabled=%v, own server listed: %v", enabled, own)
		}
		for _, it := range list {
			if attrs(it)["image_server_protocol"] != "simplestreams" {
				t.Errorf("image server %v", it)
			}
		}
	}
}

func TestImageDelete(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	fp := importImage(t, h.lxd)
	if len(byAttr(h.MustOK("image.list", alice, on(id)).List(), "image_fingerprint", fp)) != 1 {
		t.Fatalf("the imported image %s is not listed", fp[:12])
	}
	wantError(t, h.Call("image.delete", alice, on(id, "image_fingerprint", "")), 400, "this field must be filled in")
	wantAck(t, h.Call("image.delete", alice, on(id, "image_fingerprint", fp)), "image")
	if len(byAttr(h.MustOK("image.list", alice, on(id)).List(), "image_fingerprint", fp)) != 0 {
		t.Fatal("the deleted image is still listed")
	}
	wantError(t, h.Call("image.delete", alice, on(id, "image_fingerprint", fp)), 404, "")
	checkOutcomes(t, h.settled(t, id, 5*time.Second), map[string]int{"server:image_delete_requested": 2,
		"server:image_deleted": 1, "server:image_delete_failed": 1})
}
