package stream_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

const wait = 10 * time.Second

func login(env *apptest.Env, who, requestID string) apptest.Response {
	return env.MustOK("user.login", "", map[string]any{"user_login": who, "user_password": apptest.Password(who), "request_id": requestID})
}

func TestEventAuthBindsTheStream(t *testing.T) {
	env := apptest.Start(t)
	aliceID, tok := env.AddUser("alice", 4)
	sid := newStreamID(t, env)
	// A browser accepts gzip; the stream must never be compressed.
	c := openSSE(t, streamURL(env, sid, ""), http.Header{"Accept-Encoding": {"gzip, deflate, br"}})
	if c.resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: status %d", c.resp.StatusCode)
	}
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := c.resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if enc := c.resp.Header.Get("Content-Encoding"); enc != "" {
		t.Errorf("stream is encoded: %q", enc)
	}

	r := env.MustOK("event.auth", tok, map[string]any{"stream": sid, "request_id": "auth-req-1"})
	if d, _ := r.Doc["data"].(map[string]any); d["type"] != "event" || r.Attrs()["response"] != true {
		t.Fatalf("event.auth answer: %s", r.Raw)
	}
	m, _ := c.next(wait)
	if m.Type != "event.auth" || m.RequestID != "auth-req-1" || m.id != "" {
		t.Fatalf("first message: %+v", m)
	}
	if d, _ := m.body(t)["data"].(map[string]any); d["type"] != "event" {
		t.Fatalf("event.auth body: %s", m.Body)
	}

	login(env, "alice", "login-req-1")
	got := c.waitFor(wait, func(m msg) bool { return m.RequestID == "login-req-1" })
	m = got[len(got)-1]
	if m.Type != "user.login" || m.EventType != "token:issued" || !strings.HasPrefix(m.Stream, "token-") {
		t.Fatalf("login message: %+v", m)
	}
	if m.id == "" || m.id != itoa(m.Position) || m.Time == 0 || m.Actor == nil || m.Actor.Kind != "anonymous" {
		t.Fatalf("domain fields: id %q position %d time %d actor %+v", m.id, m.Position, m.Time, m.Actor)
	}
	if strings.Contains(m.raw, "hash") {
		t.Fatalf("secret in message: %s", m.raw)
	}
	d, _ := m.body(t)["data"].(map[string]any)
	attrs, _ := d["attributes"].(map[string]any)
	if d["type"] != "token" || attrs["token_state"] != float64(1) || attrs["user_id"] != float64(aliceID) {
		t.Fatalf("login body: %s", m.Body)
	}
}

func TestEventAuthErrors(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("alice", 4)
	if r := env.Call("event.auth", tok, map[string]any{"stream": "no-such-stream"}); r.Status != 404 {
		t.Errorf("unknown stream: %d %s", r.Status, r.Raw)
	}
	sid := newStreamID(t, env)
	if r := env.Call("event.auth", "", map[string]any{"stream": sid}); r.Status != 401 {
		t.Errorf("no token: %d %s", r.Status, r.Raw)
	}
	if r := env.Call("event.auth", tok, map[string]any{}); r.Status != 400 {
		t.Errorf("no stream: %d %s", r.Status, r.Raw)
	}
	req, _ := http.NewRequest(http.MethodGet, streamURL(env, "no-such-stream", ""), nil)
	if r := env.Do(req); r.Status != 404 || r.Detail() != "stream not found" {
		t.Errorf("subscribe to an unknown stream: %d %s", r.Status, r.Raw)
	}
	req, _ = http.NewRequest(http.MethodGet, streamURL(env, sid, ""), nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	if r := env.Do(req); r.Status != 401 {
		t.Errorf("subscribe with a bad token: %d %s", r.Status, r.Raw)
	}
	req, _ = http.NewRequest(http.MethodGet, streamURL(env, sid, "from=x"), nil)
	if r := env.Do(req); r.Status != 400 {
		t.Errorf("bad from: %d %s", r.Status, r.Raw)
	}
}

func TestAuthorizationHeaderBindsAtOnce(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("alice", 4)
	sse := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))
	ws := openWS(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))
	login(env, "alice", "login-hdr")
	for name, c := range map[string]*client{"sse": sse, "ws": ws} {
		got := c.waitFor(wait, func(m msg) bool { return m.RequestID == "login-hdr" })
		if got[0].Type == "event.auth" {
			t.Errorf("%s: an event.auth message without event.auth", name)
		}
	}
	// POST with the stream id in the body, as the docs describe.
	sid := newStreamID(t, env)
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/v1/event.subscribe", strings.NewReader(`{"stream":"`+sid+`"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("POST subscribe: %v %v", err, resp)
	}
	resp.Body.Close()
	_, resp, err = dialWS(streamURL(env, newStreamID(t, env), ""), http.Header{"Authorization": {"Bearer nope"}}, nil)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("upgrade with a bad token: %v %v", err, resp)
	}
}

func TestUnboundStreamTimesOutWithCloseEvent(t *testing.T) {
	env := apptest.Start(t, func(c *config.Config) {
		c.EventStream.AuthTimeout.Duration = 600 * time.Millisecond
		c.EventStream.PingInterval.Duration = 100 * time.Millisecond
	})
	env.AddUser("alice", 1) // events happen; an unbound stream must not see them
	start := time.Now()
	c := openSSE(t, streamURL(env, newStreamID(t, env), ""), nil)
	login(env, "alice", "unseen")
	var frames []frame
	for f := range c.frames {
		frames = append(frames, f)
	}
	if elapsed := time.Since(start); elapsed < 600*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("closed after %s", elapsed)
	}
	pings := 0
	for i, f := range frames {
		switch {
		case f.Comment == ": ping":
			pings++
		case f.Event == "close" && i == len(frames)-1:
			if f.Data != "{}" {
				t.Errorf("close event data %q, want {}", f.Data)
			}
		default:
			t.Errorf("unexpected frame %+v", f)
		}
	}
	if pings < 3 || len(frames) == 0 || frames[len(frames)-1].Event != "close" {
		t.Fatalf("want pings then a close event, got %+v", frames)
	}

	ws := openWS(t, streamURL(env, newStreamID(t, env), ""), nil)
	for f := range ws.frames {
		t.Errorf("unbound WebSocket got a frame: %q", f.Data)
	}
	if code := websocket.CloseStatus(ws.err); code != websocket.StatusNormalClosure {
		t.Fatalf("WebSocket closed with %v (%v), want 1000", code, ws.err)
	}
}

func TestReconnectWithTheSameIDNeedsANewAuth(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("alice", 4)
	sid := newStreamID(t, env)
	c := openSSE(t, streamURL(env, sid, ""), nil)
	env.MustOK("event.auth", tok, map[string]any{"stream": sid, "request_id": "a1"})
	c.waitFor(wait, func(m msg) bool { return m.Type == "event.auth" })
	c.close()
	c2 := openSSE(t, streamURL(env, sid, ""), nil)
	if c2.resp.StatusCode != 200 {
		t.Fatalf("reconnect: %d", c2.resp.StatusCode)
	}
	env.MustOK("event.auth", tok, map[string]any{"stream": sid, "request_id": "a2"})
	c2.waitFor(wait, func(m msg) bool { return m.Type == "event.auth" && m.RequestID == "a2" })
	login(env, "alice", "after-reconnect")
	c2.waitFor(wait, func(m msg) bool { return m.RequestID == "after-reconnect" })
}
