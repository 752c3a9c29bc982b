package simplestreams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	lxdss "github.com/canonical/lxd/shared/simplestreams"

	ss "github.com/uivmm/uivmm/simplestreams"
)

// published is a small catalogue: a container product with a squashfs
// and a root.tar.xz version, a VM product, and a product with no version.
type published struct {
	store    *ss.Store
	products []ss.ProductVersions
	// fingerprints by product ID and serial.
	fp map[string]map[string]string
}

func publishAll(t *testing.T) published {
	t.Helper()
	st := ss.NewStore(t.TempDir(), 0)
	vm := ss.Product{OS: "busybox", Release: "1", Arch: "x86_64", Variant: "vm", Aliases: "tiny-vm"}
	empty := ss.Product{OS: "busybox", Release: "2", Arch: "amd64"}
	base := time.Date(2026, 11, 26, 18, 31, 0, 0, time.UTC)
	pub := published{store: st, fp: map[string]map[string]string{}}
	add := func(p ss.Product, serial string, at time.Time, meta, rootfs string) ss.PublishedVersion {
		v, err := ss.BuildVersion(context.Background(), p, mustIngest(t, st, meta), mustIngest(t, st, rootfs))
		if err != nil {
			t.Fatal(err)
		}
		id := ss.ProductID(p)
		if pub.fp[id] == nil {
			pub.fp[id] = map[string]string{}
		}
		pub.fp[id][serial] = v.Fingerprint
		return ss.PublishedVersion{Serial: serial, Published: at, Version: v}
	}
	pub.products = []ss.ProductVersions{
		{Product: amd64, Versions: []ss.PublishedVersion{
			add(amd64, "20261126_1831", base, fx.metaXZ, fx.squashfs),
			add(amd64, "20261127_0900", base.Add(time.Hour), fx.metaXZ, fx.rootTarXZ),
		}},
		{Product: vm, Versions: []ss.PublishedVersion{add(vm, "20261126", base, fx.metaXZ, fx.qcow2)}},
		{Product: empty},
	}
	return pub
}

func TestRenderIndex(t *testing.T) {
	pub := publishAll(t)
	raw, err := ss.RenderIndex(pub.products)
	if err != nil {
		t.Fatal(err)
	}
	var stream lxdss.Stream
	if err := json.Unmarshal(raw, &stream); err != nil {
		t.Fatal(err)
	}
	entry := stream.Index["images"]
	want := []string{"busybox:1:amd64:default", "busybox:1:amd64:vm"}
	if stream.Format != "index:1.0" || len(stream.Index) != 1 || entry.DataType != "image-downloads" ||
		entry.Path != "streams/v1/images.json" || !slices.Equal(entry.Products, want) {
		t.Fatalf("index.json = %s", raw)
	}
	if stream.Updated != "Thu, 26 Nov 2026 19:31:00 +0000" {
		t.Fatalf("updated = %q, want the latest publish time", stream.Updated)
	}
}

func TestRenderImagesDecodesWithLXD(t *testing.T) {
	pub := publishAll(t)
	raw, err := ss.RenderImages(pub.products)
	if err != nil {
		t.Fatal(err)
	}
	var doc lxdss.Products
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ContentID != "images" || doc.DataType != "image-downloads" || doc.Format != "products:1.0" || len(doc.Products) != 2 {
		t.Fatalf("images.json header wrong: %s", raw)
	}
	prod := doc.Products["busybox:1:amd64:default"]
	if prod.Architecture != "amd64" || prod.OperatingSystem != "busybox" || prod.Release != "1" ||
		prod.ReleaseTitle != "1" || prod.Variant != "default" || prod.Aliases != "tiny" || len(prod.Versions) != 2 {
		t.Fatalf("product wrong: %+v", prod)
	}
	checkItems(t, pub, doc)
}

// checkItems checks every version: both metadata ftypes with the combined
// hash for the rootfs type, and a rootfs item whose path resolves.
func checkItems(t *testing.T, pub published, doc lxdss.Products) {
	t.Helper()
	for id, prod := range doc.Products {
		for serial, ver := range prod.Versions {
			fp := pub.fp[id][serial]
			if len(ver.Items) != 3 {
				t.Errorf("%s %s: %d items, want 3", id, serial, len(ver.Items))
			}
			lxdItem, incusItem := ver.Items["lxd.tar.xz"], ver.Items["incus.tar.xz"]
			if lxdItem.FileType != "lxd.tar.xz" || incusItem.FileType != "incus.tar.xz" ||
				lxdItem.Path != incusItem.Path || lxdItem.HashSha256 != incusItem.HashSha256 || lxdItem.Size == 0 {
				t.Errorf("%s %s: metadata items wrong: %+v %+v", id, serial, lxdItem, incusItem)
			}
			for _, it := range ver.Items {
				if sha, ok := ss.ResolvePath(it.Path); !ok || sha != it.HashSha256 {
					t.Errorf("%s %s: path %q does not resolve to %s", id, serial, it.Path, it.HashSha256)
				}
				if it.FileType == "lxd.tar.xz" {
					checkCombined(t, it, fp, ver.Items)
				}
			}
		}
	}
}

func checkCombined(t *testing.T, meta lxdss.ProductVersionItem, fp string, items map[string]lxdss.ProductVersionItem) {
	t.Helper()
	var rootfs string
	for _, it := range items {
		if it.FileType == "squashfs" || it.FileType == "root.tar.xz" || it.FileType == "disk-kvm.img" {
			rootfs = it.FileType
		}
	}
	got := map[string]string{
		"squashfs":     meta.LXDHashSha256SquashFs,
		"root.tar.xz":  meta.LXDHashSha256RootXz,
		"disk-kvm.img": meta.LXDHashSha256DiskKvmImg,
	}
	if got[rootfs] != fp || (rootfs == "root.tar.xz" && meta.LXDHashSha256 != fp) {
		t.Errorf("rootfs %q: combined hashes %+v, want %s", rootfs, meta, fp)
	}
}

func TestRenderImagesToLXD(t *testing.T) {
	pub := publishAll(t)
	raw, err := ss.RenderImages(pub.products)
	if err != nil {
		t.Fatal(err)
	}
	var doc lxdss.Products
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	images, downloads := doc.ToLXD()
	var got, want []string
	for _, img := range images {
		got = append(got, img.Fingerprint+" "+img.Type+" "+img.Architecture+" "+img.Properties["serial"])
		files := downloads[img.Fingerprint]
		if len(files) != 2 || files[0][2] != "meta" || files[1][2] != "root" {
			t.Errorf("downloads for %s: %v", img.Fingerprint, files)
		}
	}
	for id, serials := range pub.fp {
		for serial, fp := range serials {
			typ := "container"
			if id == "busybox:1:amd64:vm" {
				typ = "virtual-machine"
			}
			want = append(want, fp+" "+typ+" x86_64 "+serial)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("LXD sees images\n%v\nwant\n%v", got, want)
	}
}

func TestRenderDeterministic(t *testing.T) {
	pub := publishAll(t)
	a, _ := ss.RenderImages(pub.products)
	ai, _ := ss.RenderIndex(pub.products)
	rev := slices.Clone(pub.products)
	slices.Reverse(rev)
	rev[len(rev)-1].Versions = slices.Clone(rev[len(rev)-1].Versions)
	slices.Reverse(rev[len(rev)-1].Versions)
	b, _ := ss.RenderImages(rev)
	bi, _ := ss.RenderIndex(rev)
	if !bytes.Equal(a, b) || !bytes.Equal(ai, bi) {
		t.Fatal("output depends on input order")
	}
}

func TestRenderEmpty(t *testing.T) {
	idx, err := ss.RenderIndex(nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := ss.RenderImages([]ss.ProductVersions{{Product: amd64}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"format":"index:1.0","index":{"images":{"datatype":"image-downloads","format":"products:1.0","path":"streams/v1/images.json","products":[]}}}`; string(idx) != want {
		t.Fatalf("empty index.json = %s", idx)
	}
	if want := `{"content_id":"images","datatype":"image-downloads","format":"products:1.0","products":{}}`; string(img) != want {
		t.Fatalf("empty images.json = %s", img)
	}
}

func TestRenderRefusesWhatLXDWouldDrop(t *testing.T) {
	pub := publishAll(t)
	v := pub.products[0].Versions[0]
	mutate := func(f func(*ss.PublishedVersion)) []ss.ProductVersions {
		w := v
		f(&w)
		return []ss.ProductVersions{{Product: amd64, Versions: []ss.PublishedVersion{w}}}
	}
	tests := []struct {
		name string
		in   []ss.ProductVersions
		want error
	}{
		{"bad serial", mutate(func(w *ss.PublishedVersion) { w.Serial = "latest" }), ss.ErrBadSerial},
		{"no fingerprint", mutate(func(w *ss.PublishedVersion) { w.Fingerprint = "" }), ss.ErrCorrupt},
		{"metadata is a rootfs", mutate(func(w *ss.PublishedVersion) { w.Metadata = w.Rootfs }), ss.ErrMissingMetadata},
		{"rootfs is metadata", mutate(func(w *ss.PublishedVersion) { w.Rootfs = w.Metadata }), ss.ErrMissingRootfs},
		{"duplicate serial", []ss.ProductVersions{{Product: amd64, Versions: []ss.PublishedVersion{v, v}}}, ss.ErrDuplicateSerial},
		{"duplicate product", []ss.ProductVersions{pub.products[0], pub.products[0]}, ss.ErrBadProduct},
		{"bad product", []ss.ProductVersions{{Product: withArch("vax"), Versions: []ss.PublishedVersion{v}}}, ss.ErrBadArch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errImages := ss.RenderImages(tc.in)
			_, errIndex := ss.RenderIndex(tc.in)
			if !errors.Is(errImages, tc.want) || !errors.Is(errIndex, tc.want) {
				t.Fatalf("got %v / %v, want %v", errImages, errIndex, tc.want)
			}
		})
	}
}

func TestResolvePath(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		path string
		ok   bool
	}{
		{"images/" + sha + "/lxd.tar.xz", true},
		{"/images/" + sha + "/root.squashfs", true},
		{"images/" + sha + "/root.tar.xz", true},
		{"images/" + sha + "/disk.qcow2", true},
		{"images/" + sha, false},
		{"images/" + sha + "/other", false},
		{"images/" + sha + "/lxd.tar.xz/x", false},
		{"images/../" + sha + "/lxd.tar.xz", false},
		{"images/" + sha[:63] + "X/lxd.tar.xz", false},
		{"streams/v1/images.json", false},
	}
	for _, tc := range tests {
		got, ok := ss.ResolvePath(tc.path)
		if ok != tc.ok || (ok && got != sha) {
			t.Errorf("ResolvePath(%q) = %q, %v; want ok=%v", tc.path, got, ok, tc.ok)
		}
	}
	b := ss.Blob{SHA256: sha, Role: ss.RoleMetadata}
	if got, ok := ss.ResolvePath(ss.ItemPath(b)); !ok || got != sha {
		t.Fatalf("ItemPath %q does not resolve", ss.ItemPath(b))
	}
}
