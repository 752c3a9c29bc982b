package stream

import (
	"syscall"
	"unsafe"
)

// iovMax is the most buffers one writev takes (IOV_MAX on Linux).
const iovMax = 1024

// writevNonBlocking writes as much of l's buffers as the socket takes at
// once, with one writev per iovMax buffers, and returns how much that
// was: 0 when it is full (or failed: the blocking write that follows
// reports the error).
func (l *iovecs) writevNonBlocking(rc syscall.RawConn) int {
	if cap(l.vec) < len(l.bufs) {
		l.vec = make([]syscall.Iovec, 0, cap(l.bufs))
	}
	vec := l.vec[:0]
	for _, b := range l.bufs {
		v := syscall.Iovec{Base: unsafe.SliceData(b)}
		v.SetLen(len(b))
		vec = append(vec, v)
	}
	l.vec = vec
	var n int
	err := rc.Write(func(fd uintptr) bool {
		first, skip := 0, 0 // the first buffer not wholly sent, and how much of it was
		for first < len(vec) {
			chunk := vec[first:min(len(vec), first+iovMax)]
			if skip > 0 { // resume inside a buffer: send its tail first
				chunk[0].Base = unsafe.SliceData(l.bufs[first][skip:])
				chunk[0].SetLen(len(l.bufs[first]) - skip)
			}
			m, _, errno := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&chunk[0])), uintptr(len(chunk)))
			if errno == syscall.EINTR {
				continue
			}
			if errno != 0 || int(m) <= 0 {
				return true // full or failed: never wait for the poller
			}
			n += int(m)
			for left := int(m); left > 0; {
				if rem := len(l.bufs[first]) - skip; left >= rem {
					left -= rem
					first, skip = first+1, 0
				} else {
					skip += left
					left = 0
				}
			}
		}
		return true
	})
	if err != nil {
		return 0
	}
	return n
}
