package imageserver_test

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lxdclient "github.com/canonical/lxd/client"
	lxdss "github.com/canonical/lxd/shared/simplestreams"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/imageserver"
)

const serial = "20261126_1831"

func start(t *testing.T, mods ...func(*config.Config)) *server {
	t.Helper()
	env := apptest.Start(t, mods...)
	_, tok := env.AddUser("admin", 1)
	return &server{Env: env, token: tok}
}

func TestAddProduct(t *testing.T) {
	s := start(t)
	r := s.MustOK("simplestream.add", s.token, map[string]any{"product_os": "busybox", "product_release": "1.35",
		"product_arch": "x86_64", "product_aliases": "bb,busybox/1.35"})
	attrs := r.Attrs()
	if r.ID() <= 0 || attrs["product_id"] != "busybox:1.35:amd64:default" || attrs["product_arch"] != "amd64" ||
		attrs["product_variant"] != "default" || attrs["product_release_title"] != "1.35" {
		t.Fatalf("simplestream.add = %s", r.Raw)
	}
	_, user := s.AddUser("someone", 4)
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		field  string
		detail string
	}{
		{"os required", s.token, map[string]any{"product_release": "1", "product_arch": "amd64"}, 400, "/product_os", "this field must be filled in"},
		{"arch required", s.token, map[string]any{"product_os": "a", "product_release": "1"}, 400, "/product_arch", "this field must be filled in"},
		{"unknown arch", s.token, map[string]any{"product_os": "a", "product_release": "1", "product_arch": "x86-64"}, 400, "/product_arch", ""},
		{"arch LXD does not know", s.token, map[string]any{"product_os": "a", "product_release": "1", "product_arch": "sparc"}, 400, "/product_arch", ""},
		{"alias with a space", s.token, map[string]any{"product_os": "a", "product_release": "1", "product_arch": "amd64", "product_aliases": "a b"}, 400, "/product_aliases", ""},
		{"bad os", s.token, map[string]any{"product_os": "a:b", "product_release": "1", "product_arch": "amd64"}, 400, "/product_os", ""},
		{"bad variant", s.token, map[string]any{"product_os": "a", "product_release": "1", "product_arch": "amd64", "product_variant": "x y"}, 400, "/product_variant", ""},
		{"same product", s.token, map[string]any{"product_os": "busybox", "product_release": "1.35", "product_arch": "amd64"}, 409, "", product.DetailExists},
		{"alias of another product", s.token, map[string]any{"product_os": "busybox", "product_release": "1.36", "product_arch": "amd64", "product_aliases": "new,busybox/1.35"},
			409, "", `simplestream alias "busybox/1.35" is already used by another product`},
		{"unprivileged", user, map[string]any{"product_os": "x", "product_release": "1", "product_arch": "amd64"}, 403, "", "not enough access rights"},
		{"anonymous", "", map[string]any{"product_os": "x", "product_release": "1", "product_arch": "amd64"}, 401, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Call("simplestream.add", tc.token, tc.body)
			if r.Status != tc.status || tc.detail != "" && r.Detail() != tc.detail {
				t.Fatalf("status %d, body %s; want %d %q", r.Status, r.Raw, tc.status, tc.detail)
			}
			if tc.field != "" && !strings.Contains(string(r.Raw), `"pointer":"`+tc.field+`"`) {
				t.Fatalf("error does not point at %s: %s", tc.field, r.Raw)
			}
		})
	}
	// The refused "new" alias was released: another product may take it.
	s.MustOK("simplestream.add", s.token, map[string]any{"product_os": "busybox", "product_release": "1.37",
		"product_arch": "amd64", "product_aliases": "new"})
	r = s.MustOK("simplestream.list", "", nil)
	if n := len(r.List()); n != 2 {
		t.Fatalf("simplestream.list lists %d products, want 2: %s", n, r.Raw)
	}
}

func TestUploadPublishesAndServes(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	r := s.upload(payload(id, serial), filePart(fx.metaXZ), filePart(fx.squashfs))
	fp := sha(t, fx.metaXZ, fx.squashfs)
	if r.Status != 200 || r.Attrs()["published"] != true || r.Attrs()["fingerprint"] != fp {
		t.Fatalf("upload = %d %s", r.Status, r.Raw)
	}

	// LXD's own simplestreams client lists, resolves and downloads it.
	remote, err := lxdclient.ConnectSimpleStreams(s.URL+"/api/v1/simplestream.list", nil)
	if err != nil {
		t.Fatal(err)
	}
	alias, _, err := remote.GetImageAliasType("container", "bb")
	if err != nil || alias.Target != fp {
		t.Fatalf("alias bb -> %+v, %v; want %s", alias, err, fp)
	}
	img, _, err := remote.GetImage(fp)
	if err != nil || img.Architecture != "x86_64" || img.Properties["os"] != "busybox" {
		t.Fatalf("image %+v, %v", img, err)
	}
	if got := download(t, remote, fp); got != fp {
		t.Fatalf("downloaded files hash to %s, want %s", got, fp)
	}

	// images.json lists both metadata ftypes with the combined hash.
	resp, body := s.get(http.MethodGet, "streams/v1/images.json")
	var doc lxdss.Products
	if resp.StatusCode != 200 || json.Unmarshal(body, &doc) != nil {
		t.Fatalf("images.json: %d %s", resp.StatusCode, body)
	}
	items := doc.Products[id].Versions[serial].Items
	if items["lxd.tar.xz"].LXDHashSha256SquashFs != fp || items["incus.tar.xz"].LXDHashSha256SquashFs != fp ||
		items["root.squashfs"].FileType != "squashfs" {
		t.Fatalf("items = %+v", items)
	}
	// An item: Content-Length, HEAD and Range.
	path := items["root.squashfs"].Path
	size := items["root.squashfs"].Size
	resp, body = s.get(http.MethodGet, path)
	if resp.StatusCode != 200 || resp.ContentLength != size || int64(len(body)) != size || sha256Hex(body) != sha(t, fx.squashfs) {
		t.Fatalf("GET %s: %d, length %d, %d bytes", path, resp.StatusCode, resp.ContentLength, len(body))
	}
	resp, body = s.get(http.MethodHead, path)
	if resp.StatusCode != 200 || resp.ContentLength != size || len(body) != 0 {
		t.Fatalf("HEAD %s: %d, length %d", path, resp.StatusCode, resp.ContentLength)
	}
	resp, body = s.get(http.MethodGet, path, "Range", "bytes=4-99")
	whole, _ := os.ReadFile(fx.squashfs)
	if resp.StatusCode != http.StatusPartialContent || resp.ContentLength != 96 || string(body) != string(whole[4:100]) {
		t.Fatalf("Range: %d, length %d", resp.StatusCode, resp.ContentLength)
	}
	resp, _ = s.get(http.MethodGet, path, "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	for _, bad := range []string{"images/" + strings.Repeat("0", 64) + "/root.squashfs", "images/../../events.db", "streams/v1/other.json", "nothing"} {
		if resp, _ := s.get(http.MethodGet, bad); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", bad, resp.StatusCode)
		}
	}

	// simplestream.images lists the two files with numeric ids.
	files := s.MustOK("simplestream.images", "", nil).List()
	if len(files) != 2 {
		t.Fatalf("simplestream.images = %v", files)
	}
	for _, f := range files {
		a := f["attributes"].(map[string]any)
		if f["id"].(float64) <= 0 || a["product_id"] != id || a["product_version_serial"] != serial ||
			!slices.Contains([]any{"lxd.tar.xz", "squashfs"}, a["ftype"]) || a["sha256"] == "" || a["size"].(float64) <= 0 {
			t.Fatalf("file %v", f)
		}
	}

	// The same serial again is a 409, and leaves no second copy.
	before := s.blobs()
	r = s.upload(payload(id, serial), filePart(fx.metaXZ), filePart(fx.rootTarGZ))
	if r.Status != 409 || r.Detail() != product.DetailVersionPublished {
		t.Fatalf("second upload of %s = %d %s", serial, r.Status, r.Raw)
	}
	if after := s.blobs(); !slices.Equal(before, after) {
		t.Fatalf("files %v after a refused upload, want %v", after, before)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// download fetches an image's two files through LXD's client and returns
// sha256(meta||rootfs).
func download(t *testing.T, remote lxdclient.ImageServer, fp string) string {
	t.Helper()
	dir := t.TempDir()
	meta, _ := os.Create(filepath.Join(dir, "meta"))
	root, _ := os.Create(filepath.Join(dir, "root"))
	defer meta.Close()
	defer root.Close()
	if _, err := remote.GetImageFile(fp, lxdclient.ImageFileRequest{MetaFile: meta, RootfsFile: root}); err != nil {
		t.Fatalf("GetImageFile(%s): %v", fp, err)
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

func TestUploadInParts(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	_, before := s.get(http.MethodGet, "streams/v1/images.json")

	r := s.upload(filePart(fx.metaXZ), payload(id, serial)) // payload after the file works too
	if r.Status != 200 || r.Attrs()["published"] != false || fmt.Sprint(r.Attrs()["missing"]) != "[rootfs]" {
		t.Fatalf("metadata alone = %d %s", r.Status, r.Raw)
	}
	if _, now := s.get(http.MethodGet, "streams/v1/images.json"); string(now) != string(before) {
		t.Fatalf("an incomplete version shows in images.json: %s", now)
	}
	// The same file again changes nothing.
	if r := s.upload(payload(id, serial), filePart(fx.metaXZ)); r.Status != 200 || r.Attrs()["published"] != false {
		t.Fatalf("metadata again = %d %s", r.Status, r.Raw)
	}
	r = s.upload(payload(id, serial), filePart(fx.rootTarGZ))
	fp := sha(t, fx.metaXZ, fx.rootTarGZ)
	if r.Status != 200 || r.Attrs()["published"] != true || r.Attrs()["fingerprint"] != fp {
		t.Fatalf("rootfs = %d %s", r.Status, r.Raw)
	}
	_, after := s.get(http.MethodGet, "streams/v1/images.json")
	var doc lxdss.Products
	if err := json.Unmarshal(after, &doc); err != nil {
		t.Fatal(err)
	}
	items := doc.Products[id].Versions[serial].Items
	if items["lxd.tar.xz"].LXDHashSha256RootXz != fp || items["lxd.tar.xz"].LXDHashSha256 != fp || items["root.tar.xz"].FileType != "root.tar.xz" {
		t.Fatalf("the cached images.json was not refreshed, or is wrong: %s", after)
	}
	want := []string{product.TypeFileReceived, product.TypeFileReceived, product.TypeVersionPublished}
	if got := s.eventsOf(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if n := len(s.blobs()); n != 2 {
		t.Fatalf("%d files stored, want 2: %v", n, s.blobs())
	}
}

func TestRefusalsPublishNothingAndLeaveNoFiles(t *testing.T) {
	squashCut := truncated(t, fx.squashfs, -4096)
	tarCut := truncated(t, fx.rootTarGZ, 200_000)
	metaCut := truncated(t, fx.metaXZ, -20)
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not an image ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t)
	id := s.addProduct("1.35", "bb")
	for _, tc := range []struct {
		name   string
		parts  []part
		status int
		detail string
	}{
		{"wrong arch", []part{payload(id, serial), filePart(fx.metaARM), filePart(fx.squashfs)}, 400, imageserver.DetailBadArch},
		{"wrong arch, alone", []part{payload(id, serial), filePart(fx.metaARM)}, 400, imageserver.DetailBadArch},
		{"bad serial", []part{payload(id, "2026-11-26"), filePart(fx.metaXZ), filePart(fx.squashfs)}, 400, imageserver.DetailBadSerial},
		{"not a date", []part{payload(id, "20261332"), filePart(fx.metaXZ), filePart(fx.squashfs)}, 400, imageserver.DetailBadSerial},
		{"bad serial after the files", []part{filePart(fx.metaXZ), filePart(fx.squashfs), payload(id, "latest")}, 400, imageserver.DetailBadSerial},
		{"missing rootfs: two metadata files", []part{payload(id, serial), filePart(fx.metaXZ), filePart(fx.metaARM)}, 400, imageserver.DetailNoRootfs},
		{"missing rootfs: not an image", []part{payload(id, serial), filePart(fx.metaXZ), filePart(junk)}, 400, imageserver.DetailUnknownType},
		{"two rootfs", []part{payload(id, serial), filePart(fx.squashfs), filePart(fx.rootTarGZ)}, 400, imageserver.DetailTwoOfAKind},
		{"truncated squashfs", []part{payload(id, serial), filePart(fx.metaXZ), filePart(squashCut)}, 400, imageserver.DetailTruncated},
		{"truncated rootfs tarball", []part{payload(id, serial), filePart(fx.metaXZ), filePart(tarCut)}, 400, imageserver.DetailTruncated},
		{"truncated rootfs tarball, alone", []part{payload(id, serial), filePart(tarCut)}, 400, imageserver.DetailTruncated},
		{"truncated metadata", []part{payload(id, serial), filePart(metaCut), filePart(fx.squashfs)}, 400, imageserver.DetailTruncated},
		{"no file", []part{payload(id, serial)}, 400, "this field must be filled in"},
		{"no payload", []part{filePart(fx.metaXZ), filePart(fx.squashfs)}, 400, "this field must be filled in"},
		{"unknown product", []part{payload("busybox:9:amd64:default", serial), filePart(fx.metaXZ), filePart(fx.squashfs)}, 404, product.DetailNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.upload(tc.parts...)
			if r.Status != tc.status || r.Detail() != tc.detail {
				t.Fatalf("status %d %s, want %d %q", r.Status, r.Raw, tc.status, tc.detail)
			}
			if ev := s.eventsOf(); len(ev) != 0 {
				t.Fatalf("a refused upload recorded %v", ev)
			}
			if files := s.blobs(); len(files) != 0 {
				t.Fatalf("a refused upload left %v", files)
			}
		})
	}
	if r := s.MustOK("simplestream.images", "", nil); len(r.List()) != 0 {
		t.Fatalf("files listed after refusals: %s", r.Raw)
	}
}

func TestOversizedUploadIsRefused(t *testing.T) {
	s := start(t, func(c *config.Config) { c.SimpleStream.MaxUpload = 64 << 10 })
	id := s.addProduct("1.35", "bb")
	r := s.upload(payload(id, serial), filePart(fx.metaXZ), filePart(fx.squashfs)) // the squashfs is ~1 MiB
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload = %d %s", r.Status, r.Raw)
	}
	if ev, files := s.eventsOf(), s.blobs(); len(ev) != 0 || len(files) != 0 {
		t.Fatalf("an oversized upload recorded %v and left %v", ev, files)
	}
}

func TestUploadNeedsPrivilegeAndMultipart(t *testing.T) {
	s := start(t)
	id := s.addProduct("1.35", "bb")
	_, user := s.AddUser("someone", 4)
	if r := s.Do(uploadRequest(t, s.URL, user, payload(id, serial), filePart(fx.metaXZ))); r.Status != 403 {
		t.Fatalf("unprivileged upload = %d %s", r.Status, r.Raw)
	}
	if r := s.Call("simplestream.upload", s.token, map[string]any{"product_id": id}); r.Status != 415 {
		t.Fatalf("JSON upload = %d %s", r.Status, r.Raw)
	}
	if files := s.blobs(); len(files) != 0 {
		t.Fatalf("left %v", files)
	}
}

func TestServesOverTLS13(t *testing.T) {
	env := apptest.StartTLS(t)
	if !strings.HasPrefix(env.URL, "https://") || env.App.CertificatePEM() == "" {
		t.Fatalf("URL %s, certificate %q", env.URL, env.App.CertificatePEM())
	}
	client := env.Server.Client()
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.MinVersion = tls.VersionTLS13
	resp, err := (&http.Client{Transport: tr}).Get(env.URL + "/api/v1/simplestream.list/streams/v1/index.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("index.json over TLS: %d, %+v\n%s", resp.StatusCode, resp.TLS, env.Logs.String())
	}
	// LXD's client with the pinned certificate.
	remote, err := lxdclient.ConnectSimpleStreams(env.URL+"/api/v1/simplestream.list",
		&lxdclient.ConnectionArgs{TLSServerCert: env.App.CertificatePEM()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.GetImages(); err != nil {
		t.Fatalf("LXD client over pinned TLS: %v", err)
	}
}
