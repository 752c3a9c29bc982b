package simplestreams

import "errors"

// Sentinel errors. Every error returned by this package that is caused by
// the caller's input wraps exactly one of these, so the API layer can map
// them with errors.Is to a 400 (or 404 for ErrNotFound, 413 for
// ErrTooLarge). Anything else is an internal failure (I/O, a missing xz
// binary) and maps to a 500.
var (
	// ErrBadProduct: a product field is missing or has invalid characters.
	ErrBadProduct = errors.New("invalid product")
	// ErrBadAlias: an alias is empty, has invalid characters or repeats.
	ErrBadAlias = errors.New("invalid alias")
	// ErrBadArch: the architecture is unknown to LXD 5.0.2, missing from
	// metadata.yaml, or differs between the product and metadata.yaml.
	ErrBadArch = errors.New("invalid architecture")
	// ErrBadSerial: the version serial does not start with a real
	// YYYYMMDD date or has characters outside [0-9A-Za-z_.-].
	ErrBadSerial = errors.New("invalid version serial")
	// ErrMissingMetadata: the file given as metadata is not an LXD
	// metadata tarball (no top-level metadata.yaml).
	ErrMissingMetadata = errors.New("missing image metadata")
	// ErrBadMetadata: metadata.yaml exists but cannot be parsed.
	ErrBadMetadata = errors.New("invalid image metadata")
	// ErrMissingRootfs: the file given as rootfs is not a squashfs, a
	// root.tar.xz or a qcow2 disk.
	ErrMissingRootfs = errors.New("missing image rootfs")
	// ErrTruncated: the file ends early (xz, gzip, tar, squashfs or qcow2).
	ErrTruncated = errors.New("truncated file")
	// ErrCorrupt: the file is damaged (bad checksum, bad header) or no
	// longer matches its content address.
	ErrCorrupt = errors.New("corrupt file")
	// ErrTooLarge: the upload exceeds the store's size limit.
	ErrTooLarge = errors.New("file too large")
	// ErrUnknownFileType: the content is none of the supported formats.
	ErrUnknownFileType = errors.New("unknown file type")
	// ErrNotFound: no blob with that digest is stored.
	ErrNotFound = errors.New("blob not found")
	// ErrDuplicateSerial: a product lists the same serial twice.
	ErrDuplicateSerial = errors.New("duplicate version serial")
)
