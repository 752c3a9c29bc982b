package simplestreams

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// qcow2 header facts this package relies on.
type qcow2Header struct {
	clusterBits uint32
	l1Size      uint32
	l1Offset    uint64
	extendedL2  bool
}

const (
	qcow2HeaderV2Size = 72
	qcow2MaxL1Entries = 4 << 20 // qemu's QCOW_MAX_L1_SIZE is 32 MiB
	qcow2OffsetMask   = 0x00fffffffffffe00
	qcow2Compressed   = uint64(1) << 62
	// incompatible feature bits: dirty(0), corrupt(1), external data
	// file(2), compression type(3), extended L2(4). corrupt and external
	// data file are refused.
	qcow2FeatExtL2    = 1 << 4
	qcow2FeatsAllowed = 1<<0 | 1<<3 | qcow2FeatExtL2
)

// checkQcow2Header validates a qcow2 v2/v3 header and that its L1 and
// refcount tables lie inside the file. Images with a backing file, an
// external data file or encryption are refused: LXD needs a self-contained
// disk.
func checkQcow2Header(head []byte, size int64) error {
	_, err := parseQcow2Header(head, size)
	return err
}

func parseQcow2Header(head []byte, size int64) (qcow2Header, error) {
	be := binary.BigEndian
	if len(head) < qcow2HeaderV2Size || size < qcow2HeaderV2Size {
		return qcow2Header{}, fmt.Errorf("%w: qcow2 header cut short", ErrTruncated)
	}
	h := qcow2Header{clusterBits: be.Uint32(head[20:]), l1Size: be.Uint32(head[36:]), l1Offset: be.Uint64(head[40:])}
	version := be.Uint32(head[4:])
	switch {
	case version != 2 && version != 3:
		return h, fmt.Errorf("%w: qcow2 version %d", ErrUnknownFileType, version)
	case be.Uint64(head[8:]) != 0:
		return h, fmt.Errorf("%w: qcow2 with a backing file", ErrUnknownFileType)
	case be.Uint32(head[32:]) != 0:
		return h, fmt.Errorf("%w: encrypted qcow2", ErrUnknownFileType)
	case h.clusterBits < 9 || h.clusterBits > 21:
		return h, fmt.Errorf("%w: qcow2 cluster_bits %d", ErrCorrupt, h.clusterBits)
	case h.l1Size > qcow2MaxL1Entries:
		return h, fmt.Errorf("%w: qcow2 l1_size %d", ErrCorrupt, h.l1Size)
	}
	if version == 3 {
		if len(head) < 104 {
			return h, fmt.Errorf("%w: qcow2 v3 header cut short", ErrTruncated)
		}
		feats := be.Uint64(head[72:])
		if feats&^qcow2FeatsAllowed != 0 {
			return h, fmt.Errorf("%w: qcow2 incompatible features %#x", ErrUnknownFileType, feats)
		}
		h.extendedL2 = feats&qcow2FeatExtL2 != 0
	}
	cluster := uint64(1) << h.clusterBits
	refcount := be.Uint64(head[48:]) + uint64(be.Uint32(head[56:]))*cluster
	if h.l1Offset+uint64(h.l1Size)*8 > uint64(size) || refcount > uint64(size) {
		return h, fmt.Errorf("%w: qcow2 tables beyond end of file", ErrTruncated)
	}
	return h, nil
}

// verifyQcow2 walks the L1 and L2 tables and refuses the image if any
// table or data cluster starts beyond the end of the file, the usual sign
// of a truncated upload. It reads only the tables, never the data.
func verifyQcow2(ctx context.Context, f *os.File, size int64) error {
	head := make([]byte, headSize)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("reading qcow2 header: %w", err)
	}
	h, err := parseQcow2Header(head[:n], size)
	if err != nil {
		return err
	}
	cluster := int64(1) << h.clusterBits
	l1 := bufio.NewReader(io.NewSectionReader(f, int64(h.l1Offset), int64(h.l1Size)*8))
	l2 := make([]byte, cluster)
	var entry [8]byte
	for i := uint32(0); i < h.l1Size; i++ {
		if _, err := io.ReadFull(l1, entry[:]); err != nil {
			return fmt.Errorf("%w: qcow2 L1 table: %w", ErrTruncated, err)
		}
		off := int64(binary.BigEndian.Uint64(entry[:]) & qcow2OffsetMask)
		if off == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if off+cluster > size {
			return fmt.Errorf("%w: qcow2 L2 table at %d beyond end of file", ErrTruncated, off)
		}
		if _, err := f.ReadAt(l2, off); err != nil {
			return fmt.Errorf("reading qcow2 L2 table: %w", err)
		}
		if err := checkL2(l2, h, size); err != nil {
			return err
		}
	}
	return nil
}

// checkL2 checks every cluster descriptor in one L2 table.
func checkL2(table []byte, h qcow2Header, size int64) error {
	step := 8
	if h.extendedL2 {
		step = 16 // descriptor followed by a subcluster bitmap
	}
	compressedBits := 62 - (h.clusterBits - 8)
	for i := 0; i+8 <= len(table); i += step {
		e := binary.BigEndian.Uint64(table[i:])
		host := e & qcow2OffsetMask
		if e&qcow2Compressed != 0 {
			host = e & (uint64(1)<<compressedBits - 1)
		}
		if host != 0 && host >= uint64(size) {
			return fmt.Errorf("%w: qcow2 cluster at %d beyond end of file (%d)", ErrTruncated, host, size)
		}
	}
	return nil
}
