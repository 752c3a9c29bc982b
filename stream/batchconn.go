package stream

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// batchConn is a hijacked WebSocket connection that sends a batch of
// messages with one write call: one system call per batch instead of one
// per frame. The hub frames its text messages itself (event.ws);
// coder/websocket keeps the handshake, the reading side, pings and the
// close handshake, and its control frames go straight through (or into
// the batch while one is being built). It is safe for concurrent use.
type batchConn struct {
	net.Conn
	raw      syscall.RawConn // for writes that must not block; nil if the connection has none
	mu       sync.Mutex
	batching bool
	buf      []byte
	rest     []byte        // what a write that must not block left: sent before anything else
	timeout  time.Duration // bound of every blocking write (see extendDeadline)
	deadline time.Time
	iov      iovecs // writeNow's
}

func newBatchConn(conn net.Conn, timeout time.Duration) *batchConn {
	return &batchConn{Conn: conn, raw: rawConn(conn), timeout: timeout}
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.batching {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	if err := c.writeLocked(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeLocked sends the rest of an earlier write, then p, blocking within
// the write timeout.
func (c *batchConn) writeLocked(p []byte) error {
	if len(c.rest) == 0 && len(p) == 0 {
		return nil
	}
	c.deadline = extendDeadline(c.Conn, c.deadline, c.timeout)
	return sendAll(c.Conn, &c.rest, p)
}

// sendAll writes *rest (what a write that must not block left), then b,
// blocking; *rest is emptied once sent.
func sendAll(conn net.Conn, rest *[]byte, b []byte) error {
	if len(*rest) > 0 {
		if _, err := conn.Write(*rest); err != nil {
			return err
		}
		*rest = (*rest)[:0]
	}
	if len(b) == 0 {
		return nil
	}
	_, err := conn.Write(b)
	return err
}

// appendFrame adds one frame (event.ws) to the batch. The frame goes in
// whole under the lock, so control frames coder/websocket writes from
// other goroutines (pongs, pings, close) land between frames, never
// inside one: the library writes each control frame with one Write.
func (c *batchConn) appendFrame(frame []byte) {
	c.mu.Lock()
	c.buf = append(c.buf, frame...)
	c.mu.Unlock()
}

// begin holds writes back until flush.
func (c *batchConn) begin() {
	c.mu.Lock()
	c.batching = true
	c.mu.Unlock()
}

// flush sends what was held (after any rest) and ends the batch.
func (c *batchConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batching = false
	err := c.writeLocked(c.buf)
	c.resetBuf()
	return err
}

func (c *batchConn) resetBuf() {
	if cap(c.buf) > 256<<10 {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
}

// writeNow sends frames without blocking, as far as the socket takes
// them (see directWriter).
func (c *batchConn) writeNow(evs []*event) (written, pending bool) {
	// Never wait: a control frame's write may be blocked on a full socket.
	if !c.mu.TryLock() {
		return false, false
	}
	defer c.mu.Unlock()
	if c.raw == nil || c.batching || len(c.rest) > 0 {
		return false, false
	}
	for _, ev := range evs {
		c.iov.add(ev.ws)
	}
	return c.iov.sendSome(c.raw, &c.rest)
}

// flushPending sends, blocking, what writeNow left.
func (c *batchConn) flushPending() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeLocked(nil)
}

// rawConn returns conn's raw connection for writes that must not block,
// or nil when it has none (a TLS connection, for one).
func rawConn(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeNonBlocking writes as much of b as the socket takes at once and
// returns how much that was: 0 when it is full (or failed: the blocking
// write that follows reports the error).
func writeNonBlocking(rc syscall.RawConn, b []byte) int {
	var n int
	err := rc.Write(func(fd uintptr) bool {
		for {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case errors.Is(err, syscall.EINTR):
				continue
			case err != nil || m <= 0 || n == len(b):
				return true // done, or full: never wait for the poller
			}
		}
	})
	if err != nil {
		return 0
	}
	return n
}

// batchHijacker hands websocket.Accept a batchConn when it hijacks.
type batchHijacker struct {
	http.ResponseWriter
	conn    *batchConn
	timeout time.Duration
}

func (h *batchHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = newBatchConn(conn, h.timeout)
	return h.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(h.conn, 8<<10)), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *batchHijacker) Unwrap() http.ResponseWriter { return h.ResponseWriter }
