package imageserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/uivmm/uivmm/readmodels"
	ss "github.com/uivmm/uivmm/simplestreams"
)

// The two documents Stream serves, by their path under the stream root.
const (
	IndexPath  = ss.IndexPath  // "streams/v1/index.json"
	ImagesPath = ss.ImagesPath // "streams/v1/images.json"
)

// Document is a rendered simplestreams JSON file.
type Document struct {
	Body []byte
	ETag string // a strong validator: quoted sha256 of Body
}

// renderCache keeps the rendered documents of one catalog position.
type renderCache struct {
	mu     sync.Mutex
	valid  bool
	pos    uint64
	index  Document
	images Document
}

// Stream returns index.json or images.json (IndexPath, ImagesPath). The
// bytes are rendered from the read model and cached until a product event
// changes it (the model's ss_state position moves with each one).
func (s *Service) Stream(ctx context.Context, path string) (Document, bool, error) {
	if path != IndexPath && path != ImagesPath {
		return Document{}, false, nil
	}
	pos, err := s.rm.SSCatalogPosition(ctx)
	if err != nil {
		return Document{}, false, err
	}
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.valid || c.pos != pos {
		if err := s.render(ctx, c); err != nil {
			return Document{}, false, err
		}
	}
	if path == IndexPath {
		return c.index, true, nil
	}
	return c.images, true, nil
}

// render fills c from a consistent snapshot of the read model. A product
// that cannot be rendered (it never should) is left out and logged, so
// one bad entry never takes the whole server down.
func (s *Service) render(ctx context.Context, c *renderCache) error {
	snap, err := s.rm.SSCatalogSnapshot(ctx)
	if err != nil {
		return err
	}
	products := s.renderable(catalogOf(snap))
	index, err := ss.RenderIndex(products)
	if err != nil {
		return fmt.Errorf("rendering index.json: %w", err)
	}
	images, err := ss.RenderImages(products)
	if err != nil {
		return fmt.Errorf("rendering images.json: %w", err)
	}
	c.valid, c.pos, c.index, c.images = true, snap.Position, document(index), document(images)
	return nil
}

func (s *Service) renderable(products []ss.ProductVersions) []ss.ProductVersions {
	if _, err := ss.RenderImages(products); err == nil {
		return products
	}
	var ok []ss.ProductVersions
	for _, pv := range products {
		if _, err := ss.RenderImages([]ss.ProductVersions{pv}); err != nil {
			s.log.Error("simplestreams product left out of images.json", "product_id", ss.ProductID(pv.Product), "err", err)
			continue
		}
		ok = append(ok, pv)
	}
	return ok
}

func document(b []byte) Document {
	sum := sha256.Sum256(b)
	return Document{Body: b, ETag: `"` + hex.EncodeToString(sum[:]) + `"`}
}

// catalogOf turns the read model into RenderImages' input.
func catalogOf(snap readmodels.SSCatalog) []ss.ProductVersions {
	byID := map[int64]int{}
	out := make([]ss.ProductVersions, len(snap.Products))
	for i, p := range snap.Products {
		byID[p.ID] = i
		out[i].Product = ssProduct(p)
	}
	for _, v := range snap.Versions {
		i, ok := byID[v.Product]
		if !ok {
			continue
		}
		out[i].Versions = append(out[i].Versions, publishedOf(v))
	}
	return out
}

func publishedOf(v readmodels.SSVersion) ss.PublishedVersion {
	return ss.PublishedVersion{Serial: v.Serial, Published: time.Unix(v.PublishedAt, 0).UTC(), Version: ss.Version{
		Metadata:    ss.Blob{SHA256: v.Metadata.SHA256, Size: v.Metadata.Size, Role: ss.Role(v.Metadata.Role)},
		Rootfs:      ss.Blob{SHA256: v.Rootfs.SHA256, Size: v.Rootfs.Size, Role: ss.Role(v.Rootfs.Role)},
		Fingerprint: v.Fingerprint, Architecture: v.Architecture,
	}}
}

// OpenItem opens the blob behind an item path of images.json
// ("images/<sha256>/<name>"), only if a live version lists it. The caller
// closes the file. ok is false for any other path or blob.
func (s *Service) OpenItem(ctx context.Context, path string) (f *os.File, sha string, ok bool, err error) {
	sha, ok = ss.ResolvePath(path)
	if !ok {
		return nil, "", false, nil
	}
	published, err := s.rm.SSBlobPublished(ctx, sha)
	if err != nil || !published {
		return nil, "", false, err
	}
	f, err = s.store.Open(sha)
	if err != nil {
		return nil, "", false, err
	}
	return f, sha, true, nil
}

// ImageFile is one file of a live version, as simplestream.images lists
// it. ID is 2*VersionID-1 for the metadata file, 2*VersionID for the
// rootfs, so ids are unique and stable.
type ImageFile struct {
	ID        int64
	ProductID string
	Serial    string
	Ftype     string // "lxd.tar.xz" or the rootfs role
	Path      string // item path under the stream root
	Size      int64
	SHA256    string
}

// Files lists the files of every live version, by product and serial.
func (s *Service) Files(ctx context.Context) ([]ImageFile, error) {
	snap, err := s.rm.SSCatalogSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	keys := map[int64]string{}
	for _, p := range snap.Products {
		keys[p.ID] = p.ProductID
	}
	var out []ImageFile
	for _, v := range snap.Versions {
		pv := publishedOf(v)
		out = append(out,
			ImageFile{ID: 2*v.VersionID - 1, ProductID: keys[v.Product], Serial: v.Serial, Ftype: ss.FtypeLXDMetadata,
				Path: ss.ItemPath(pv.Metadata), Size: v.Metadata.Size, SHA256: v.Metadata.SHA256},
			ImageFile{ID: 2 * v.VersionID, ProductID: keys[v.Product], Serial: v.Serial, Ftype: v.Rootfs.Role,
				Path: ss.ItemPath(pv.Rootfs), Size: v.Rootfs.Size, SHA256: v.Rootfs.SHA256})
	}
	return out, nil
}

// ProductInfo is a product with the serials of its live versions.
type ProductInfo struct {
	readmodels.SSProduct
	Serials []string
}

// Products lists every product, by id.
func (s *Service) Products(ctx context.Context) ([]ProductInfo, error) {
	snap, err := s.rm.SSCatalogSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ProductInfo, len(snap.Products))
	idx := map[int64]int{}
	for i, p := range snap.Products {
		out[i] = ProductInfo{SSProduct: p, Serials: []string{}}
		idx[p.ID] = i
	}
	for _, v := range snap.Versions {
		if i, ok := idx[v.Product]; ok {
			out[i].Serials = append(out[i].Serials, v.Serial)
		}
	}
	return out, nil
}

// Items describes the outcome's files as simplestream.images lists them
// (without ids).
func (o Outcome) Items() []ImageFile {
	out := make([]ImageFile, len(o.Files))
	for i, b := range o.Files {
		ftype := string(b.Role)
		if b.Role == ss.RoleMetadata {
			ftype = ss.FtypeLXDMetadata
		}
		out[i] = ImageFile{ProductID: o.ProductID, Serial: o.Serial, Ftype: ftype, Path: ss.ItemPath(b),
			Size: b.Size, SHA256: b.SHA256}
	}
	return out
}
