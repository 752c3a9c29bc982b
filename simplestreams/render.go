package simplestreams

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The simplestreams constants LXD checks.
const (
	IndexPath    = "streams/v1/index.json"
	ImagesPath   = "streams/v1/images.json"
	dataType     = "image-downloads"
	contentID    = "images"
	updatedStyle = time.RFC1123Z
)

// The ftypes of the metadata items. Every version lists its metadata file
// under both: LXD reads only lxd.tar.xz items, Incus only incus.tar.xz.
const (
	FtypeLXDMetadata   = "lxd.tar.xz"
	FtypeIncusMetadata = "incus.tar.xz"
)

// PublishedVersion is a Version published under a serial at a time.
type PublishedVersion struct {
	Serial    string    // images.json version key; see ValidateSerial
	Published time.Time // when VersionPublished was recorded
	Version
}

// ProductVersions is one product and its published versions: the input of
// RenderIndex and RenderImages, typically a read model.
type ProductVersions struct {
	Product  Product
	Versions []PublishedVersion
}

type streamDoc struct {
	Format  string                `json:"format"`
	Index   map[string]indexEntry `json:"index"`
	Updated string                `json:"updated,omitempty"`
}

type indexEntry struct {
	DataType string   `json:"datatype"`
	Format   string   `json:"format"`
	Path     string   `json:"path"`
	Products []string `json:"products"`
	Updated  string   `json:"updated,omitempty"`
}

type productsDoc struct {
	ContentID string                `json:"content_id"`
	DataType  string                `json:"datatype"`
	Format    string                `json:"format"`
	Products  map[string]productDoc `json:"products"`
	Updated   string                `json:"updated,omitempty"`
}

type productDoc struct {
	Aliases      string                `json:"aliases"`
	Arch         string                `json:"arch"`
	OS           string                `json:"os"`
	Release      string                `json:"release"`
	ReleaseTitle string                `json:"release_title"`
	Variant      string                `json:"variant"`
	Versions     map[string]versionDoc `json:"versions"`
}

type versionDoc struct {
	Items map[string]map[string]any `json:"items"`
}

// RenderIndex renders streams/v1/index.json: format index:1.0 with one
// entry, "images" (datatype image-downloads, path streams/v1/images.json),
// listing the sorted IDs of products that have at least one version.
//
// With nothing published the products list is empty ([], never null) and
// the document is still valid: LXD skips an entry with no products, so the
// remote simply lists no images. The input is validated exactly as in
// RenderImages and the output is deterministic.
func RenderIndex(products []ProductVersions) ([]byte, error) {
	images, err := buildImages(products)
	if err != nil {
		return nil, err
	}
	ids := sortedKeys(images.Products)
	doc := streamDoc{
		Format:  "index:1.0",
		Updated: images.Updated,
		Index: map[string]indexEntry{contentID: {
			DataType: dataType, Format: "products:1.0", Path: ImagesPath,
			Products: ids, Updated: images.Updated,
		}},
	}
	return marshal(doc)
}

// RenderImages renders streams/v1/images.json (format products:1.0):
// products keyed by ProductID, versions keyed by serial, each version
// with three items: the metadata file as lxd.tar.xz and as incus.tar.xz,
// both carrying the combined hash keys of the rootfs type, and the rootfs.
// Products without versions are left out.
//
// Output is deterministic (sorted keys, "updated" is the latest publish
// time), so it can be cached and compared. It fails, rather than emit
// something LXD would silently drop, on an invalid product, serial or
// blob, a product listed twice (ErrBadProduct) or a serial repeated within
// a product (ErrDuplicateSerial).
func RenderImages(products []ProductVersions) ([]byte, error) {
	images, err := buildImages(products)
	if err != nil {
		return nil, err
	}
	return marshal(images)
}

func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding simplestreams json: %w", err)
	}
	return b, nil
}

func buildImages(products []ProductVersions) (productsDoc, error) {
	doc := productsDoc{ContentID: contentID, DataType: dataType, Format: "products:1.0",
		Products: map[string]productDoc{}}
	var latest time.Time
	for _, pv := range products {
		if len(pv.Versions) == 0 {
			continue
		}
		id, prod, err := buildProduct(pv)
		if err != nil {
			return doc, err
		}
		if _, dup := doc.Products[id]; dup {
			return doc, fmt.Errorf("%w: product %s listed twice", ErrBadProduct, id)
		}
		doc.Products[id] = prod
		for _, v := range pv.Versions {
			if v.Published.After(latest) {
				latest = v.Published
			}
		}
	}
	if !latest.IsZero() {
		doc.Updated = latest.UTC().Format(updatedStyle)
	}
	return doc, nil
}

func buildProduct(pv ProductVersions) (string, productDoc, error) {
	p, err := ValidateProduct(pv.Product)
	if err != nil {
		return "", productDoc{}, err
	}
	id := ProductID(p)
	doc := productDoc{Aliases: p.Aliases, Arch: p.Arch, OS: p.OS, Release: p.Release,
		ReleaseTitle: p.ReleaseTitle, Variant: p.Variant, Versions: map[string]versionDoc{}}
	for _, v := range pv.Versions {
		if _, dup := doc.Versions[v.Serial]; dup {
			return "", doc, fmt.Errorf("%w: %s version %s", ErrDuplicateSerial, id, v.Serial)
		}
		items, err := buildItems(v)
		if err != nil {
			return "", doc, fmt.Errorf("product %s version %s: %w", id, v.Serial, err)
		}
		doc.Versions[v.Serial] = versionDoc{Items: items}
	}
	return id, doc, nil
}

func buildItems(v PublishedVersion) (map[string]map[string]any, error) {
	if err := checkPublished(v); err != nil {
		return nil, err
	}
	items := map[string]map[string]any{}
	for _, ftype := range []string{FtypeLXDMetadata, FtypeIncusMetadata} {
		item := fileItem(ftype, v.Metadata)
		for _, key := range CombinedHashKeys(v.Rootfs.Role) {
			item[key] = v.Fingerprint
		}
		items[ftype] = item
	}
	items[fileNames[v.Rootfs.Role]] = fileItem(string(v.Rootfs.Role), v.Rootfs)
	return items, nil
}

func fileItem(ftype string, b Blob) map[string]any {
	return map[string]any{"ftype": ftype, "path": ItemPath(b), "sha256": b.SHA256, "size": b.Size}
}

// checkPublished rejects a version LXD would drop or could not download.
func checkPublished(v PublishedVersion) error {
	var errs []error
	if err := ValidateSerial(v.Serial); err != nil {
		errs = append(errs, err)
	}
	if v.Metadata.Role != RoleMetadata || !validDigest(v.Metadata.SHA256) || v.Metadata.Size <= 0 {
		errs = append(errs, fmt.Errorf("%w: bad metadata blob", ErrMissingMetadata))
	}
	if !v.Rootfs.Role.IsRootfs() || !validDigest(v.Rootfs.SHA256) || v.Rootfs.Size <= 0 {
		errs = append(errs, fmt.Errorf("%w: bad rootfs blob", ErrMissingRootfs))
	}
	if !validDigest(v.Fingerprint) {
		errs = append(errs, fmt.Errorf("%w: fingerprint %q is not a sha256", ErrCorrupt, v.Fingerprint))
	}
	return errors.Join(errs...)
}

// sortedKeys returns the product IDs sorted, as a non-nil slice (an empty
// list must encode as [], not null).
func sortedKeys(m map[string]productDoc) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
