package stream

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// batchConn is a hijacked connection that can hold writes back while a
// batch of WebSocket frames is written, then send them with one write
// call: one system call per batch instead of one per frame. Outside a
// batch, writes (control frames from other goroutines) go straight
// through. It is safe for concurrent use.
type batchConn struct {
	net.Conn
	mu       sync.Mutex
	batching bool
	buf      []byte
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.batching {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// begin holds writes back until flush.
func (c *batchConn) begin() {
	c.mu.Lock()
	c.batching = true
	c.mu.Unlock()
}

// flush sends what was held, within timeout, and ends the batch.
func (c *batchConn) flush(timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batching = false
	if len(c.buf) == 0 {
		return nil
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := c.Conn.Write(c.buf)
	_ = c.Conn.SetWriteDeadline(time.Time{})
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
	conn *batchConn
}

func (h *batchHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = &batchConn{Conn: conn}
	return h.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(h.conn, 8<<10)), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *batchHijacker) Unwrap() http.ResponseWriter { return h.ResponseWriter }
