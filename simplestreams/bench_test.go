package simplestreams_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"testing"

	ss "github.com/uivmm/uivmm/simplestreams"
)

// squashfsStream is an n-byte stream that passes squashfs detection
// (a 4.0 superblock whose bytes_used is n) followed by filler, generated
// on the fly so the benchmark itself allocates nothing per byte.
type squashfsStream struct {
	n, off int64
	block  []byte
}

func newSquashfsStream(n int64) *squashfsStream {
	block := make([]byte, 64<<10)
	for i := range block {
		block[i] = byte(i*7 + i>>8)
	}
	le := binary.LittleEndian
	copy(block, "hsqs")
	le.PutUint32(block[12:], 1<<17) // block size
	le.PutUint16(block[22:], 17)    // block log
	le.PutUint16(block[28:], 4)     // version 4.0
	le.PutUint16(block[30:], 0)
	le.PutUint64(block[40:], uint64(n)) // bytes_used
	for off := 48; off <= 88; off += 8 {
		le.PutUint64(block[off:], ^uint64(0)) // no tables
	}
	return &squashfsStream{n: n, block: block}
}

func (s *squashfsStream) Read(p []byte) (int, error) {
	if s.off >= s.n {
		return 0, io.EOF
	}
	total := 0
	for len(p) > 0 && s.off < s.n {
		pos := s.off % int64(len(s.block))
		if s.off >= int64(len(s.block)) && pos < 96 {
			pos = 96 // only the first block carries the superblock
		}
		n := copy(p, s.block[pos:min(int64(len(s.block)), pos+s.n-s.off)])
		p, s.off, total = p[n:], s.off+int64(n), total+n
	}
	return total, nil
}

// BenchmarkIngest streams generated files through Ingest. B/op and
// allocs/op must stay flat from 16 MiB to 256 MiB: memory does not scale
// with the upload.
func BenchmarkIngest(b *testing.B) {
	for _, size := range []int64{16 << 20, 256 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			st := ss.NewStore(b.TempDir(), 0)
			src := newSquashfsStream(size)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				src.off = 0
				blob, err := st.Ingest(context.Background(), src)
				if err != nil || blob.Size != size || blob.Role != ss.RoleSquashfs {
					b.Fatalf("ingest: %+v, %v", blob, err)
				}
			}
		})
	}
}
