package simplestreams

import (
	"encoding/binary"
	"fmt"
)

// squashfsSuperblockSize is the size of a squashfs 4.0 superblock.
const squashfsSuperblockSize = 96

// checkSquashfs validates a little-endian squashfs 4.0 superblock (the only
// kind mksquashfs writes and LXD mounts) and that the file holds every byte
// the superblock claims: bytes_used covers all tables, so a file shorter
// than that is truncated. mksquashfs pads to 4 KiB, so files are usually
// longer, which is fine.
func checkSquashfs(head []byte, size int64) error {
	if len(head) < squashfsSuperblockSize || size < squashfsSuperblockSize {
		return fmt.Errorf("%w: squashfs superblock cut short", ErrTruncated)
	}
	le := binary.LittleEndian
	major, minor := le.Uint16(head[28:]), le.Uint16(head[30:])
	if major != 4 || minor != 0 {
		return fmt.Errorf("%w: squashfs version %d.%d, want 4.0", ErrCorrupt, major, minor)
	}
	blockSize, blockLog := le.Uint32(head[12:]), le.Uint16(head[22:])
	if blockLog < 12 || blockLog > 20 || blockSize != 1<<blockLog {
		return fmt.Errorf("%w: squashfs block size %d", ErrCorrupt, blockSize)
	}
	used := le.Uint64(head[40:])
	if used < squashfsSuperblockSize {
		return fmt.Errorf("%w: squashfs bytes_used %d", ErrCorrupt, used)
	}
	if used > uint64(size) {
		return fmt.Errorf("%w: squashfs needs %d bytes, file has %d", ErrTruncated, used, size)
	}
	// The table starts (id, xattr, inode, directory, fragment, export)
	// must lie inside the used bytes; all-ones marks an absent table.
	for off := 48; off <= 88; off += 8 {
		if start := le.Uint64(head[off:]); start != ^uint64(0) && start >= used {
			return fmt.Errorf("%w: squashfs table at %d beyond bytes_used %d", ErrCorrupt, start, used)
		}
	}
	return nil
}
