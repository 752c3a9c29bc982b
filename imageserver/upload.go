package imageserver

import (
	"context"
	"io"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
	"github.com/uivmm/uivmm/eventstore"
	ss "github.com/uivmm/uivmm/simplestreams"
)

// Upload is one simplestream.upload request: files are added as they
// stream in, then Finish checks and records them. Always Close it: that
// removes every file it brought that no event refers to. An Upload is
// used by one goroutine.
type Upload struct {
	s     *Service
	meta  eventstore.Metadata
	blobs []ss.Blob
}

// Outcome is what an upload achieved.
type Outcome struct {
	ProductRef  int64  // the product's numeric id
	ProductID   string // "os:release:arch:variant"
	Serial      string
	Published   bool
	Fingerprint string    // when published
	Files       []ss.Blob // this upload's files (Path is local)
	Missing     []string  // kinds still missing: "metadata", "rootfs"
}

// NewUpload starts an upload whose events carry meta.
func (s *Service) NewUpload(meta eventstore.Metadata) *Upload {
	return &Upload{s: s, meta: meta}
}

// AddFile streams r into the blob store. The role is detected from the
// content; errors wrap package simplestreams' sentinels (ErrTooLarge,
// ErrUnknownFileType, ErrTruncated, ...) or the reader's own.
func (u *Upload) AddFile(ctx context.Context, r io.Reader) (ss.Blob, error) {
	b, err := u.s.store.Ingest(ctx, r)
	if err != nil {
		return ss.Blob{}, err
	}
	if err := u.s.pin(b.SHA256); err != nil {
		return ss.Blob{}, err
	}
	u.blobs = append(u.blobs, b)
	return b, nil
}

// Check refuses early, before any file is read, what Finish would refuse
// anyway: a bad serial, an unknown product, a serial already published.
func (u *Upload) Check(ctx context.Context, productID, serial string) error {
	if err := ss.ValidateSerial(serial); err != nil {
		return err
	}
	_, ref, err := u.s.product(ctx, productID)
	if err != nil {
		return err
	}
	v, err := u.s.rm.SSVersion(ctx, ref, serial)
	if err != nil {
		return err
	}
	if v != nil {
		return domain.Conflict(product.DetailVersionPublished)
	}
	return nil
}

// Finish checks the upload's files as version serial of productID and
// records what they make: the published version when the version is
// complete and valid, else (a lone valid file) a pending file. A refused
// upload records nothing, except that pending files it proved invalid are
// discarded.
func (u *Upload) Finish(ctx context.Context, productID, serial string) (Outcome, error) {
	if len(u.blobs) == 0 {
		return Outcome{}, domain.Invalid("file", domain.DetailFieldRequired)
	}
	if err := u.Check(ctx, productID, serial); err != nil {
		return Outcome{}, err
	}
	p, ref, err := u.s.product(ctx, productID)
	if err != nil {
		return Outcome{}, err
	}
	meta, rootfs, err := splitRoles(u.blobs)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{ProductRef: ref, ProductID: productID, Serial: serial, Files: u.blobs}
	if meta != nil && rootfs != nil {
		return u.publish(ctx, p, out, *meta, *rootfs, nil)
	}
	lone := u.blobs[0]
	if err := ss.VerifyFile(ctx, p, lone); err != nil {
		return Outcome{}, err
	}
	res, err := u.s.send(ctx, &commands.ReceiveImageFile{Envelope: u.envelope("simplestream.receive"),
		ProductID: productID, Serial: serial, File: fileOf(lone)})
	if err != nil {
		return Outcome{}, err
	}
	if old := res.Values["replaced_sha256"]; old != "" {
		u.s.removeUnreferenced(ctx, old)
	}
	return u.complete(ctx, p, out, commands.PendingFiles(res.Values))
}

// complete publishes a version whose files are all pending now, or says
// what is missing.
func (u *Upload) complete(ctx context.Context, p ss.Product, out Outcome, pending map[string]product.File) (Outcome, error) {
	m, haveMeta := pending[product.KindMetadata]
	r, haveRootfs := pending[product.KindRootfs]
	if !haveMeta {
		out.Missing = append(out.Missing, product.KindMetadata)
	}
	if !haveRootfs {
		out.Missing = append(out.Missing, product.KindRootfs)
	}
	if len(out.Missing) > 0 {
		return out, nil
	}
	files := []product.File{m, r}
	blobs := make([]ss.Blob, 2)
	for i, f := range files {
		b, err := u.s.blob(f.SHA256, f.Size, f.Role)
		if err != nil {
			return Outcome{}, err
		}
		if err := u.s.pin(b.SHA256); err != nil {
			u.discard(ctx, out, files, err)
			return Outcome{}, &domain.Error{Kind: domain.KindConflict, Field: "file", Detail: DetailPartnerGone, Err: err}
		}
		defer u.s.unpin(b.SHA256)
		blobs[i] = b
	}
	return u.publish(ctx, p, out, blobs[0], blobs[1], files)
}

// publish checks the pair whole and publishes it. When the check fails,
// the pending files (if any) are discarded.
func (u *Upload) publish(ctx context.Context, p ss.Product, out Outcome, meta, rootfs ss.Blob, pending []product.File) (Outcome, error) {
	v, err := ss.BuildVersion(ctx, p, meta, rootfs)
	if err != nil {
		if pending != nil {
			u.discard(ctx, out, pending, err)
		}
		return Outcome{}, err
	}
	_, err = u.s.send(ctx, &commands.PublishImageVersion{Envelope: u.envelope("simplestream.publish"),
		ProductID: out.ProductID, Serial: out.Serial, Metadata: fileOf(meta), Rootfs: fileOf(rootfs),
		Fingerprint: v.Fingerprint, CombinedKeys: ss.CombinedHashKeys(rootfs.Role), Architecture: v.Architecture})
	if err != nil {
		return Outcome{}, err
	}
	out.Published, out.Fingerprint = true, v.Fingerprint
	return out, nil
}

// discard drops the pending files of a version that proved invalid, and
// their blobs once nothing refers to them.
func (u *Upload) discard(ctx context.Context, out Outcome, files []product.File, cause error) {
	ctx = context.WithoutCancel(ctx)
	if _, err := u.s.send(ctx, &commands.DiscardImageVersion{Envelope: u.envelope("simplestream.discard"),
		ProductID: out.ProductID, Serial: out.Serial, Files: files, Reason: reason(cause)}); err != nil {
		u.s.log.Warn("could not discard an invalid image version", "product_id", out.ProductID, "serial", out.Serial, "err", err)
		return
	}
	shas := make([]string, len(files))
	for i, f := range files {
		shas[i] = f.SHA256
	}
	u.s.removeUnreferenced(ctx, shas...)
}

// Close releases the upload's files and removes those no event refers to.
func (u *Upload) Close(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	shas := make([]string, len(u.blobs))
	for i, b := range u.blobs {
		u.s.unpin(b.SHA256)
		shas[i] = b.SHA256
	}
	u.blobs = nil
	u.s.removeUnreferenced(ctx, shas...)
}

func (u *Upload) envelope(command string) commands.Envelope {
	m := u.meta
	m.Command = command
	return commands.Envelope{Metadata: m}
}

// splitRoles finds the metadata file and the rootfs among the blobs.
func splitRoles(blobs []ss.Blob) (meta, rootfs *ss.Blob, err error) {
	var metas, roots int
	for i := range blobs {
		switch {
		case blobs[i].Role == ss.RoleMetadata:
			metas++
			meta = &blobs[i]
		case blobs[i].Role.IsRootfs():
			roots++
			rootfs = &blobs[i]
		}
	}
	switch {
	case metas > 1 && roots == 0:
		return nil, nil, &domain.Error{Kind: domain.KindInvalid, Field: "file", Detail: DetailNoRootfs,
			Err: ss.ErrMissingRootfs}
	case metas > 1 || roots > 1:
		return nil, nil, domain.Invalid("file", DetailTwoOfAKind)
	}
	return meta, rootfs, nil
}

func fileOf(b ss.Blob) product.File {
	return product.File{SHA256: b.SHA256, Size: b.Size, Role: string(b.Role)}
}
