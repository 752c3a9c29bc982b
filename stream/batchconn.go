package stream

import (
	"bufio"
	"encoding/binary"
	"net"
	"net/http"
	"sync"
	"time"
)

// batchConn is a hijacked WebSocket connection that sends a batch of
// messages with one write call: one system call per batch instead of one
// per frame. The hub encodes its text frames itself (appendText);
// coder/websocket keeps the handshake, the reading side, pings and the
// close handshake, and its control frames go straight through (or into
// the batch while one is being built). It is safe for concurrent use.
type batchConn struct {
	net.Conn
	mu       sync.Mutex
	batching bool
	buf      []byte
	timeout  time.Duration // bound of every write (see extendDeadline)
	deadline time.Time
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.batching {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	c.deadline = extendDeadline(c.Conn, c.deadline, c.timeout)
	return c.Conn.Write(p)
}

// appendText adds one WebSocket text message, as a single unmasked frame
// (RFC 6455 §5.2, what a server sends), to the batch. The frame goes in
// whole under the lock, so control frames coder/websocket writes from
// other goroutines (pongs, pings, close) land between frames, never
// inside one: the library writes each control frame with one Write.
func (c *batchConn) appendText(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	switch {
	case n < 126:
		c.buf = append(c.buf, 0x81, byte(n))
	case n <= 0xffff:
		c.buf = append(c.buf, 0x81, 126, byte(n>>8), byte(n))
	default:
		c.buf = append(c.buf, 0x81, 127)
		c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(n))
	}
	c.buf = append(c.buf, p...)
}

// begin holds writes back until flush.
func (c *batchConn) begin() {
	c.mu.Lock()
	c.batching = true
	c.mu.Unlock()
}

// flush sends what was held and ends the batch.
func (c *batchConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batching = false
	if len(c.buf) == 0 {
		return nil
	}
	c.deadline = extendDeadline(c.Conn, c.deadline, c.timeout)
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > 256<<10 {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
	return err
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
	h.conn = &batchConn{Conn: conn, timeout: h.timeout}
	return h.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(h.conn, 8<<10)), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *batchHijacker) Unwrap() http.ResponseWriter { return h.ResponseWriter }
