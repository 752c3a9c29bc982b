package stream

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// sseTransport writes Server-Sent Events.
type sseTransport struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     []byte
}

// startSSE answers 200 with the event-stream headers and lifts the
// server's deadlines (http.Server.WriteTimeout must not end a stream;
// every write sets its own deadline instead).
func startSSE(w http.ResponseWriter, timeout time.Duration) *sseTransport {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	hd.Del("Content-Length")
	hd.Del("Content-Encoding")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	return &sseTransport{w: w, rc: rc, timeout: timeout}
}

// write sends each event as "id: <position>" (stored events only) and
// one "data:" line.
func (t *sseTransport) write(_ context.Context, evs []*event) error {
	b := t.buf[:0]
	for _, ev := range evs {
		if !ev.synthetic {
			b = append(b, "id: "...)
			b = strconv.AppendUint(b, ev.pos, 10)
			b = append(b, '\n')
		}
		b = append(b, "data: "...)
		b = append(b, ev.line...)
		b = append(b, "\n\n"...)
	}
	t.buf = b
	return t.send(b)
}

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
	_ = t.rc.SetWriteDeadline(time.Now().Add(t.timeout))
	if _, err := t.w.Write(b); err != nil {
		return err
	}
	return t.rc.Flush()
}
