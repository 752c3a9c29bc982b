package imageserver

import (
	"errors"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/product"
	ss "github.com/uivmm/uivmm/simplestreams"
)

// Details of upload refusals.
const (
	DetailBadArch      = "the image architecture is not the product's, or not one LXD knows"
	DetailBadSerial    = "product_version_serial must start with a date YYYYMMDD, then at most 56 of 0-9 A-Z a-z _ . -"
	DetailNoRootfs     = "the upload has no rootfs: a squashfs, a root.tar.xz or a disk-kvm.img"
	DetailNoMetadata   = "the metadata file has no metadata.yaml at its top"
	DetailBadMetadata  = "metadata.yaml cannot be read"
	DetailTruncated    = "an image file is truncated"
	DetailCorrupt      = "an image file is corrupt"
	DetailTooLarge     = "an image file is larger than simplestream.max_upload"
	DetailUnknownType  = "an image file is neither image metadata nor a rootfs (squashfs, root.tar.xz, qcow2)"
	DetailFileNotFound = "image file not found"
	DetailBadProduct   = "invalid simplestream product"
	DetailTwoOfAKind   = "an upload holds at most one metadata file and one rootfs"
	DetailPartnerGone  = "the other file of this version is no longer stored; upload both files again"
)

var errProductNotFound = domain.NotFound(product.DetailNotFound)

var mapped = []struct {
	err    error
	kind   domain.Kind
	field  string
	detail string
}{
	{ss.ErrTooLarge, domain.KindTooLarge, "file", DetailTooLarge},
	{ss.ErrBadSerial, domain.KindInvalid, "product_version_serial", DetailBadSerial},
	{ss.ErrBadArch, domain.KindInvalid, "file", DetailBadArch},
	{ss.ErrMissingRootfs, domain.KindInvalid, "file", DetailNoRootfs},
	{ss.ErrMissingMetadata, domain.KindInvalid, "file", DetailNoMetadata},
	{ss.ErrBadMetadata, domain.KindInvalid, "file", DetailBadMetadata},
	{ss.ErrTruncated, domain.KindInvalid, "file", DetailTruncated},
	{ss.ErrCorrupt, domain.KindInvalid, "file", DetailCorrupt},
	{ss.ErrUnknownFileType, domain.KindInvalid, "file", DetailUnknownType},
	{ss.ErrNotFound, domain.KindNotFound, "", DetailFileNotFound},
	{ss.ErrDuplicateSerial, domain.KindConflict, "", product.DetailVersionPublished},
	{ss.ErrBadProduct, domain.KindInvalid, "", DetailBadProduct},
	{ss.ErrBadAlias, domain.KindInvalid, "", DetailBadProduct},
}

// MapError is the api.ErrorMapper of package simplestreams' errors: input
// problems become 400 (413 for ErrTooLarge, 404 for ErrNotFound) with a
// safe detail; the cause stays in the log.
func MapError(err error) (*domain.Error, bool) {
	for _, m := range mapped {
		if errors.Is(err, m.err) {
			return &domain.Error{Kind: m.kind, Field: m.field, Detail: m.detail, Err: err}, true
		}
	}
	return nil, false
}

// reason is the short, safe text a discarded version records.
func reason(err error) string {
	if de, ok := MapError(err); ok {
		return de.Detail
	}
	if de, ok := domain.As(err); ok {
		return de.Detail
	}
	return "internal error"
}
