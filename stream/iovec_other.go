//go:build !linux

package stream

import "syscall"

// writevNonBlocking copies l's buffers into one and writes it (no
// vectored write here).
func (l *iovecs) writevNonBlocking(rc syscall.RawConn) int {
	var b []byte
	for _, p := range l.bufs {
		b = append(b, p...)
	}
	return writeNonBlocking(rc, b)
}
