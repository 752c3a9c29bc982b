package stream

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// wsTransport writes WebSocket text frames, one message each.
type wsTransport struct {
	c           *websocket.Conn
	bc          *batchConn
	pingTimeout time.Duration
	pinging     atomic.Bool
}

// acceptWS completes the upgrade. The caller must CloseNow the
// connection. Deadlines the http.Server set are lifted first: they stay
// on the hijacked connection otherwise.
func acceptWS(w http.ResponseWriter, r *http.Request, timeout time.Duration) (*websocket.Conn, *batchConn, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	hj := &batchHijacker{ResponseWriter: w, timeout: timeout}
	c, err := websocket.Accept(hj, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, nil, err
	}
	return c, hj.conn, nil
}

// write frames every event into the batch, then sends the batch with
// one write (bounded by the write timeout).
func (t *wsTransport) write(_ context.Context, evs []*event) error {
	t.bc.begin()
	for _, ev := range evs {
		t.bc.appendFrame(ev.ws)
	}
	return t.bc.flush()
}

func (t *wsTransport) writeNow(evs []*event) (written, pending bool) { return t.bc.writeNow(evs) }
func (t *wsTransport) flushPending() error                           { return t.bc.flushPending() }

// ping sends a ping frame and waits for the pong in the background (the
// CloseRead reader handles pongs); a client that does not answer within
// pingTimeout is dropped.
func (t *wsTransport) ping(ctx context.Context) error {
	if !t.pinging.CompareAndSwap(false, true) {
		return nil
	}
	go func() {
		defer t.pinging.Store(false)
		pctx, cancel := context.WithTimeout(ctx, t.pingTimeout)
		defer cancel()
		if err := t.c.Ping(pctx); err != nil && ctx.Err() == nil {
			_ = t.c.CloseNow()
		}
	}()
	return nil
}

func (t *wsTransport) close(_ context.Context, why closeReason) {
	switch why {
	case reasonAuthTimeout:
		_ = t.c.Close(websocket.StatusNormalClosure, "auth timeout")
	case reasonOverflow:
		_ = t.c.Close(websocket.StatusPolicyViolation, "slow consumer")
	case reasonReplaced:
		_ = t.c.Close(websocket.StatusNormalClosure, "replaced by a newer connection")
	case reasonShutdown:
		_ = t.c.Close(websocket.StatusGoingAway, "server shutting down")
	}
}
