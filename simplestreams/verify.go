package simplestreams

import (
	"context"
	"fmt"
)

// VerifyFile checks one stored file on its own, with the same checks
// BuildVersion applies to it within a pair, so a version uploaded in
// several parts can refuse a bad file at once instead of when the other
// file arrives:
//   - a metadata file must be a whole tarball whose metadata.yaml parses
//     and names p's architecture (ErrMissingMetadata, ErrTruncated,
//     ErrCorrupt, ErrBadMetadata, ErrBadArch);
//   - a rootfs must be whole (ErrTruncated, ErrCorrupt).
//
// b.Role must be the role Ingest detected; any other role is
// ErrUnknownFileType. It does not recompute b's digest (Ingest just did;
// BuildVersion does again). p should already be validated.
func VerifyFile(ctx context.Context, p Product, b Blob) error {
	switch {
	case b.Role == RoleMetadata:
		info, err := verifyMetadata(ctx, b)
		if err != nil {
			return fmt.Errorf("metadata: %w", err)
		}
		if !SameArch(info.Architecture, p.Arch) {
			return fmt.Errorf("%w: metadata.yaml says %q, product is %q", ErrBadArch, info.Architecture, p.Arch)
		}
		return nil
	case b.Role.IsRootfs():
		if err := verifyRootfs(ctx, b); err != nil {
			return fmt.Errorf("rootfs: %w", err)
		}
		return nil
	}
	return fmt.Errorf("%w: role %q", ErrUnknownFileType, b.Role)
}
