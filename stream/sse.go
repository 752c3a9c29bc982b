package stream

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// sseTransport writes Server-Sent Events.
//
// On HTTP/1.x it takes the connection over, as the WebSocket path does,
// and writes each batch with one write call: the response carries
// "Connection: close" and no Content-Length, so its body simply runs
// until the connection closes (RFC 9112 §6.3), which is all EventSource
// needs. Through net/http's ResponseWriter a batch cost two to four
// system calls (its 4 KiB buffer, then the chunk framing and the flush),
// and those were the largest single cost of the fan-out benchmark. Where
// the connection cannot be taken over (HTTP/2, a test recorder), it
// writes through the ResponseWriter instead.
type sseTransport struct {
	conn     net.Conn        // the taken-over connection, or nil
	raw      syscall.RawConn // conn's, for writes that must not block (nil: none)
	rest     []byte          // what such a write left: sent before anything else
	w        http.ResponseWriter
	rc       *http.ResponseController
	timeout  time.Duration
	deadline time.Time // the write deadline last set on conn
	buf      []byte
	iov      iovecs // writeNow's
}

// startSSE answers 200 with the event-stream headers. The server's
// deadlines are lifted (http.Server.WriteTimeout must not end a stream;
// every write has its own bound instead). The returned context ends when
// the client goes away; finish must be called when the stream ends.
func startSSE(ctx context.Context, w http.ResponseWriter, r *http.Request, timeout time.Duration) (*sseTransport, context.Context, func()) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	hd.Del("Content-Length")
	hd.Del("Content-Encoding")
	if r.ProtoMajor == 1 {
		if t, ctx, finish, ok := takeOverSSE(ctx, w, r, timeout); ok {
			return t, ctx, finish
		}
	}
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	return &sseTransport{w: w, rc: rc, timeout: timeout}, ctx, func() {}
}

// takeOverSSE hijacks the connection and writes the response head itself.
func takeOverSSE(ctx context.Context, w http.ResponseWriter, r *http.Request, timeout time.Duration) (*sseTransport, context.Context, func(), bool) {
	noteStatus(w, http.StatusOK) // first: the metrics would count a hijack as 101
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, nil, false
	}
	var head bytes.Buffer
	head.WriteString(r.Proto + " 200 OK\r\n")
	hd := w.Header().Clone()
	hd.Set("Connection", "close")
	hd.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	hd.Del("Transfer-Encoding")
	_ = hd.Write(&head)
	head.WriteString("\r\n")
	t := &sseTransport{conn: conn, raw: rawConn(conn), timeout: timeout}
	ctx, cancel := context.WithCancel(ctx)
	// The client sends nothing more; a read that ends means it went away.
	go func() {
		_, _ = io.Copy(io.Discard, brw.Reader)
		cancel()
	}()
	finish := func() {
		cancel()
		_ = conn.Close()
	}
	if err := t.send(head.Bytes()); err != nil {
		finish()
		return t, ctx, func() {}, true // ctx is done: serve returns at once
	}
	return t, ctx, finish, true
}

// noteStatus tells the access log and the metrics what status a
// taken-over response had: they cannot see it on the wire.
func noteStatus(w http.ResponseWriter, code int) {
	for w != nil {
		if n, ok := w.(interface{ NoteStatus(int) }); ok {
			n.NoteStatus(code)
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// write sends each event as "id: <position>" (stored events only) and
// one "data:" line (event.sse).
func (t *sseTransport) write(_ context.Context, evs []*event) error {
	return t.send(t.frames(evs))
}

func (t *sseTransport) frames(evs []*event) []byte {
	b := t.buf[:0]
	for _, ev := range evs {
		b = append(b, ev.sse...)
	}
	if cap(b) > 256<<10 {
		t.buf = nil
	} else {
		t.buf = b
	}
	return b
}

// writeNow sends evs without blocking, as far as the socket takes them
// (see directWriter).
func (t *sseTransport) writeNow(evs []*event) (written, pending bool) {
	if t.raw == nil || len(t.rest) > 0 {
		return false, false
	}
	for _, ev := range evs {
		t.iov.add(ev.sse)
	}
	return t.iov.sendSome(t.raw, &t.rest)
}

// flushPending sends, blocking, what writeNow left.
func (t *sseTransport) flushPending() error { return t.send(nil) }

// ping is a comment, which EventSource ignores.
func (t *sseTransport) ping(context.Context) error { return t.send([]byte(": ping\n\n")) }

// close sends the named "close" event (with the data line EventSource
// needs to dispatch it) when the client should not reconnect.
func (t *sseTransport) close(_ context.Context, why closeReason) {
	switch why {
	case reasonAuthTimeout:
		_ = t.send([]byte("event: close\ndata: {}\n\n"))
	case reasonOverflow:
		_ = t.send([]byte("event: close\ndata: {\"reason\":\"overflow\"}\n\n"))
	case reasonShutdown:
		_ = t.send([]byte("event: close\ndata: {\"reason\":\"shutdown\"}\n\n"))
	}
}

func (t *sseTransport) send(b []byte) error {
	if t.conn != nil {
		if len(t.rest) == 0 && len(b) == 0 {
			return nil
		}
		t.deadline = extendDeadline(t.conn, t.deadline, t.timeout)
		return sendAll(t.conn, &t.rest, b)
	}
	_ = t.rc.SetWriteDeadline(time.Now().Add(t.timeout))
	if _, err := t.w.Write(b); err != nil {
		return err
	}
	return t.rc.Flush()
}

// extendDeadline keeps a write deadline between timeout/2 and timeout
// ahead, setting it again only when less than half is left: a write that
// does not complete within timeout/2 to timeout fails, without a timer
// update on every write.
func extendDeadline(c net.Conn, current time.Time, timeout time.Duration) time.Time {
	now := time.Now()
	if current.Sub(now) >= timeout/2 {
		return current
	}
	next := now.Add(timeout)
	_ = c.SetWriteDeadline(next)
	return next
}
