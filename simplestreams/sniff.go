package simplestreams

import (
	"bytes"
	"context"
	"fmt"
)

// Role is what a stored file is for in an LXD image, decided from its
// content. The values are stable strings, safe to record in events; the
// rootfs roles equal the simplestreams ftype LXD expects.
type Role string

// The roles. A version is one RoleMetadata file plus one rootfs file.
const (
	RoleMetadata  Role = "metadata"     // tar(.xz|.gz) with metadata.yaml; ftype lxd.tar.xz / incus.tar.xz
	RoleSquashfs  Role = "squashfs"     // container rootfs
	RoleRootTarXZ Role = "root.tar.xz"  // container rootfs as a tarball (xz or gzip)
	RoleDiskKVM   Role = "disk-kvm.img" // virtual-machine disk, qcow2
)

// IsRootfs reports whether r is one of the rootfs roles.
func (r Role) IsRootfs() bool {
	return r == RoleSquashfs || r == RoleRootTarXZ || r == RoleDiskKVM
}

// compression of a tarball.
type compression int

const (
	compNone compression = iota
	compXZ
	compGzip
)

// headSize is how many leading bytes role detection needs (the squashfs
// superblock is 96 bytes, the qcow2 v3 header 104).
const headSize = 512

var (
	magicSquashfs = []byte("hsqs")
	magicQcow2    = []byte("QFI\xfb")
	magicXZ       = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicGzip     = []byte{0x1f, 0x8b}
)

// compressionOf names the tarball compression from the magic bytes.
func compressionOf(head []byte) compression {
	switch {
	case bytes.HasPrefix(head, magicXZ):
		return compXZ
	case bytes.HasPrefix(head, magicGzip):
		return compGzip
	}
	return compNone
}

// detectRole decides the role of the file at path from its first bytes
// (head) and size, never from its name. squashfs and qcow2 are checked
// from their headers only; a tarball is decompressed just far enough to
// see whether metadata.yaml or an OS tree sits at its top.
func detectRole(ctx context.Context, path string, head []byte, size int64) (Role, error) {
	switch {
	case bytes.HasPrefix(head, magicSquashfs):
		return RoleSquashfs, checkSquashfs(head, size)
	case bytes.HasPrefix(head, magicQcow2):
		if err := checkQcow2Header(head, size); err != nil {
			return "", err
		}
		return RoleDiskKVM, nil
	}
	comp := compressionOf(head)
	if comp == compNone {
		return "", fmt.Errorf("%w: not squashfs, qcow2, tar.xz or tar.gz", ErrUnknownFileType)
	}
	return sniffTarball(ctx, path, comp)
}
