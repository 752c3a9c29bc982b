package stream_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// tinyDialer makes connections with a 4 KiB receive buffer, so a client
// that stops reading blocks the server's writes quickly.
var tinyDialer = &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	if err != nil {
		return err
	}
	return serr
}}

// stuckSSE opens an SSE stream and never reads it.
func stuckSSE(t *testing.T, env *apptest.Env, sid, token string) net.Conn {
	t.Helper()
	conn, err := tinyDialer.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /api/v1/event.subscribe?stream=%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", sid, token)
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 16), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stuck SSE: %v %v", err, resp)
	}
	return conn
}

func TestSlowSubscriberIsDroppedOthersStayOnTime(t *testing.T) {
	env := apptest.Start(t, func(c *config.Config) { c.EventStream.Buffer = 16 })
	_, tok := env.AddUser("root", 1)
	normal := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))
	stuckSSE(t, env, newStreamID(t, env), tok)
	slowConn, _, err := dialWS(streamURL(env, newStreamID(t, env), ""), bearer(tok),
		&http.Client{Transport: &http.Transport{DialContext: tinyDialer.DialContext}})
	if err != nil {
		t.Fatal(err)
	}
	defer slowConn.CloseNow()

	// 1500 events of 2 KiB at about 750/s, more than the kernel buffers
	// of a connection hold (about 1.3 MiB here); record when each was
	// written.
	const n = 1500
	var mu sync.Mutex
	written := map[string]time.Time{}
	go func() {
		for i := 1; i <= n; i++ {
			rid := fmt.Sprintf("probe-%d", i)
			mu.Lock()
			written[rid] = time.Now()
			mu.Unlock()
			appendProbe(t, env, "probe-1", "test:probed", sysMeta(rid), map[string]any{"pad": strings.Repeat("x", 2<<10)})
			if i%3 == 0 {
				time.Sleep(4 * time.Millisecond)
			}
		}
	}()
	// As soon as both slow clients are dropped, the slow WebSocket client
	// reads again: after what was in flight it finds the policy-violation
	// close.
	slowEnd := make(chan error, 1)
	go func() {
		for env.App.Hub.Stats().Kicked < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for {
			if _, _, err := slowConn.Read(ctx); err != nil {
				slowEnd <- err
				return
			}
		}
	}()
	var worst time.Duration
	next := 1
	for next <= n {
		m, ok := normal.next(wait)
		if !ok {
			t.Fatalf("the normal subscriber was dropped after %d messages (%v)", next-1, normal.err)
		}
		if m.RequestID != fmt.Sprintf("probe-%d", next) {
			t.Fatalf("normal subscriber: got %s, want probe-%d", m.RequestID, next)
		}
		mu.Lock()
		lat := m.at.Sub(written[m.RequestID])
		mu.Unlock()
		worst = max(worst, lat)
		next++
	}
	stats := env.App.Hub.Stats()
	t.Logf("normal subscriber: worst latency %s; hub %+v", worst, stats)
	if stats.Kicked < 2 {
		t.Fatalf("slow subscribers kicked: %d, want 2", stats.Kicked)
	}
	if worst > 3*time.Second {
		t.Errorf("the normal subscriber fell behind: worst latency %s", worst)
	}
	err = <-slowEnd
	if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
		t.Errorf("slow WebSocket closed with %v (%v), want 1008", code, err)
	}
}
