package stream

import "syscall"

// iovecs is a reusable list of buffers sent with one vectored write:
// each event's frame is written from where it was rendered, never copied
// into a per-subscriber buffer first.
type iovecs struct {
	bufs [][]byte
	vec  []syscall.Iovec // linux: the bufs as the kernel takes them
}

func (l *iovecs) add(b []byte) { l.bufs = append(l.bufs, b) }

// sendSome writes the buffers as far as raw takes them without blocking,
// then forgets them. written is false when that was nothing; otherwise
// what is left goes to *rest (copied), and pending says whether anything
// did.
func (l *iovecs) sendSome(raw syscall.RawConn, rest *[]byte) (written, pending bool) {
	defer l.reset()
	n := l.writevNonBlocking(raw)
	if n == 0 {
		return false, false
	}
	*rest = (*rest)[:0]
	for _, b := range l.bufs {
		if n >= len(b) {
			n -= len(b)
			continue
		}
		*rest = append(*rest, b[n:]...)
		n = 0
	}
	return true, len(*rest) > 0
}

// reset forgets the buffers (keeping the lists' room, unless a catch-up
// made them large) so the events they belong to can be collected.
func (l *iovecs) reset() {
	clear(l.bufs)
	if cap(l.bufs) > 4096 {
		l.bufs, l.vec = nil, nil
		return
	}
	l.bufs = l.bufs[:0]
	clear(l.vec[:cap(l.vec)])
}
