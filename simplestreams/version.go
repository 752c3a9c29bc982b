package simplestreams

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// Version is one image build of a product: a metadata file, a rootfs file
// and the fingerprint LXD computes for the pair. Build it with
// BuildVersion; everything here is derived from the two files.
type Version struct {
	Metadata Blob
	Rootfs   Blob
	// Fingerprint is sha256(metadata bytes followed by rootfs bytes), the
	// image fingerprint LXD shows and verifies after download.
	Fingerprint string
	// Architecture is metadata.yaml's architecture, as written there.
	Architecture string
	// CreationDate is metadata.yaml's creation_date (zero if absent).
	CreationDate time.Time
	// Properties are metadata.yaml's properties (description, os, ...).
	Properties map[string]string
}

// CombinedHashKeys returns the images.json keys under which the metadata
// item must carry the fingerprint for this kind of rootfs; LXD drops a
// version without them. Nil for a role that is not a rootfs.
func CombinedHashKeys(rootfs Role) []string {
	switch rootfs {
	case RoleSquashfs:
		return []string{"combined_squashfs_sha256"}
	case RoleRootTarXZ:
		return []string{"combined_rootxz_sha256", "combined_sha256"}
	case RoleDiskKVM:
		return []string{"combined_disk-kvm-img_sha256"}
	}
	return nil
}

// BuildVersion checks a metadata file and a rootfs file as one image of
// product p and computes its fingerprint. It reads both files completely:
//   - each must still match its Blob digest and size (ErrCorrupt);
//   - the roles, detected again from content, must be RoleMetadata
//     (ErrMissingMetadata) and a rootfs role (ErrMissingRootfs);
//   - archives must be whole: xz/gzip checksums, tar members and the
//     end-of-archive marker, squashfs bytes_used, qcow2 tables
//     (ErrTruncated, ErrCorrupt);
//   - metadata.yaml must parse (ErrBadMetadata) and name an architecture
//     that is p's, leniently (x86_64 == amd64) (ErrBadArch).
//
// p should already be validated. BuildVersion has no side effects.
func BuildVersion(ctx context.Context, p Product, metadata, rootfs Blob) (Version, error) {
	if metadata.Role != RoleMetadata {
		return Version{}, fmt.Errorf("%w: metadata file is a %q", ErrMissingMetadata, metadata.Role)
	}
	if !rootfs.Role.IsRootfs() {
		return Version{}, fmt.Errorf("%w: rootfs file is a %q", ErrMissingRootfs, rootfs.Role)
	}
	fp, err := fingerprint(ctx, metadata, rootfs)
	if err != nil {
		return Version{}, err
	}
	if err := verifyRootfs(ctx, rootfs); err != nil {
		return Version{}, fmt.Errorf("rootfs: %w", err)
	}
	info, err := verifyMetadata(ctx, metadata)
	if err != nil {
		return Version{}, fmt.Errorf("metadata: %w", err)
	}
	if !SameArch(info.Architecture, p.Arch) {
		return Version{}, fmt.Errorf("%w: metadata.yaml says %q, product is %q",
			ErrBadArch, info.Architecture, p.Arch)
	}
	v := Version{Metadata: metadata, Rootfs: rootfs, Fingerprint: fp,
		Architecture: info.Architecture, Properties: info.Properties}
	if info.CreationDate > 0 {
		v.CreationDate = time.Unix(info.CreationDate, 0).UTC()
	}
	return v, nil
}

// fingerprint streams both files once into the combined hash, checking
// each against its own digest on the way.
func fingerprint(ctx context.Context, blobs ...Blob) (string, error) {
	combined := sha256.New()
	buf := make([]byte, copyBufSize)
	for _, b := range blobs {
		if err := hashInto(ctx, combined, b, buf); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(combined.Sum(nil)), nil
}

func hashInto(ctx context.Context, combined hash.Hash, b Blob, buf []byte) error {
	f, err := os.Open(b.Path)
	if err != nil {
		return fmt.Errorf("opening %s blob %s: %w", b.Role, b.SHA256, err)
	}
	defer f.Close()
	own := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(combined, own), ctxReader{ctx: ctx, r: f}, buf)
	if err != nil {
		return fmt.Errorf("reading %s blob %s: %w", b.Role, b.SHA256, err)
	}
	if got := hex.EncodeToString(own.Sum(nil)); got != b.SHA256 || n != b.Size {
		return fmt.Errorf("%w: %s blob %s has sha256 %s and %d bytes, want %d",
			ErrCorrupt, b.Role, b.SHA256, got, n, b.Size)
	}
	return nil
}

// verifyRootfs checks the rootfs role from content and its integrity.
func verifyRootfs(ctx context.Context, b Blob) error {
	f, head, size, err := openHead(b.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	role, err := detectRole(ctx, b.Path, head, size)
	if err != nil {
		return err
	}
	if role != b.Role {
		return fmt.Errorf("%w: content is %q, recorded as %q", ErrMissingRootfs, role, b.Role)
	}
	switch role {
	case RoleDiskKVM:
		return verifyQcow2(ctx, f, size)
	case RoleRootTarXZ:
		_, err := verifyTarball(ctx, b.Path, compressionOf(head))
		return err
	}
	return nil // squashfs: detectRole checked the superblock against the size
}

// openHead opens a file and reads its first headSize bytes.
func openHead(path string) (*os.File, []byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("opening blob: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("stat blob: %w", err)
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, nil, 0, fmt.Errorf("reading blob: %w", err)
	}
	return f, head[:n], info.Size(), nil
}
