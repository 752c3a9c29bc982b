package stream_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/uivmm/uivmm/app/apptest"
)

// frame is one thing read from a stream: an SSE event or comment, or a
// WebSocket text frame.
type frame struct {
	ID      string // SSE id
	Event   string // SSE event name ("" = the default message)
	Data    string // SSE data, or the WebSocket frame
	Comment string // SSE comment (": ping")
	At      time.Time
}

// msg is the decoded message a frame carries.
type msg struct {
	Type      string          `json:"type"`
	RequestID string          `json:"request_id"`
	Body      string          `json:"body"`
	Position  uint64          `json:"position"`
	Stream    string          `json:"stream"`
	EventType string          `json:"event_type"`
	Time      int64           `json:"time"`
	Actor     *actor          `json:"actor"`
	Data      json.RawMessage `json:"data"`
	raw       string
	at        time.Time
	id        string
}

type actor struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// client reads one stream in the background into frames; the channel
// closes when the stream ends (err tells why).
type client struct {
	t      testing.TB
	frames chan frame
	err    error
	done   chan struct{}
	close  func()
	resp   *http.Response
	ws     *websocket.Conn
}

func streamURL(env *apptest.Env, id, query string) string {
	u := env.URL + "/api/v1/event.subscribe?stream=" + id
	if query != "" {
		u += "&" + query
	}
	return u
}

// newStreamID asks config.get for a stream id, as the UI does.
func newStreamID(t testing.TB, env *apptest.Env) string {
	t.Helper()
	id, _ := env.MustOK("config.get", "", nil).Attrs()["stream"].(string)
	if id == "" {
		t.Fatal("config.get gave no stream id")
	}
	return id
}

// openSSE GETs url with hdr and parses the event stream; with a gate, it
// reads nothing until the gate closes.
func openSSE(t testing.TB, url string, hdr http.Header, gate ...<-chan struct{}) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	c := &client{t: t, frames: make(chan frame, 100000), done: make(chan struct{}), resp: resp}
	c.close = func() { cancel(); resp.Body.Close(); <-c.done }
	t.Cleanup(c.close)
	if resp.StatusCode != http.StatusOK {
		close(c.frames)
		close(c.done)
		return c
	}
	go func() {
		for _, g := range gate {
			<-g
		}
		c.readSSE(resp.Body)
	}()
	return c
}

func (c *client) readSSE(body io.Reader) {
	defer close(c.done)
	defer close(c.frames)
	br := bufio.NewReaderSize(body, 64<<10)
	var f frame
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.err = err
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if f.Data != "" || f.Event != "" || f.ID != "" {
				f.At = time.Now()
				c.frames <- f
			}
			f = frame{}
		case strings.HasPrefix(line, ":"):
			c.frames <- frame{Comment: line, At: time.Now()}
		case strings.HasPrefix(line, "id: "):
			f.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			f.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			if f.Data != "" {
				f.Data += "\n"
			}
			f.Data += line[6:]
		case line == "data:":
			f.Data += ""
		}
	}
}

// openWS dials url as a WebSocket and reads text frames.
func openWS(t testing.TB, url string, hdr http.Header) *client {
	t.Helper()
	c, resp, err := dialWS(url, hdr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", url, err, resp)
	}
	return readWS(t, c)
}

func dialWS(url string, hdr http.Header, hc *http.Client) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{HTTPHeader: hdr, HTTPClient: hc})
	if err == nil {
		c.SetReadLimit(1 << 20)
	}
	return c, resp, err
}

func readWS(t testing.TB, conn *websocket.Conn) *client {
	c := &client{t: t, frames: make(chan frame, 100000), done: make(chan struct{}), ws: conn}
	c.close = func() { conn.CloseNow(); <-c.done }
	t.Cleanup(c.close)
	go func() {
		defer close(c.done)
		defer close(c.frames)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			c.frames <- frame{Data: string(b), At: time.Now()}
		}
	}()
	return c
}

// next returns the next default message (skipping pings), or fails.
func (c *client) next(timeout time.Duration) (msg, bool) {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return msg{}, false
			}
			if f.Comment != "" || f.Event != "" {
				continue
			}
			return decodeMsg(c.t, f), true
		case <-deadline:
			c.t.Fatalf("no message within %s", timeout)
			return msg{}, false
		}
	}
}

// waitFor reads messages until one matches, returning every message read
// (the match last).
func (c *client) waitFor(timeout time.Duration, match func(msg) bool) []msg {
	c.t.Helper()
	var seen []msg
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			c.t.Fatalf("no matching message within %s; saw %d: %v", timeout, len(seen), summary(seen))
		}
		m, ok := c.next(left)
		if !ok {
			c.t.Fatalf("stream ended (%v) before a matching message; saw %d: %v", c.err, len(seen), summary(seen))
		}
		seen = append(seen, m)
		if match(m) {
			return seen
		}
	}
}

func summary(ms []msg) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Type+"/"+m.EventType+"/"+m.RequestID+"@"+strconv.FormatUint(m.Position, 10))
	}
	if len(out) > 20 {
		out = append(out[:10], append([]string{"..."}, out[len(out)-10:]...)...)
	}
	return out
}

func decodeMsg(t testing.TB, f frame) msg {
	t.Helper()
	var m msg
	if err := json.Unmarshal([]byte(f.Data), &m); err != nil {
		t.Fatalf("message is not JSON: %q: %v", f.Data, err)
	}
	m.raw, m.at, m.id = f.Data, f.At, f.ID
	return m
}

// body decodes a message's body document.
func (m msg) body(t testing.TB) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(m.Body), &doc); err != nil {
		t.Fatalf("body is not JSON: %q", m.Body)
	}
	return doc
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
