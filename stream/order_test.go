package stream_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/eventstore"
)

// A job's completion message must reach the stream only after the reply
// to the request that started it: the UI registers its callback then.
func TestCompletionIsSentAfterTheReply(t *testing.T) {
	env := apptest.Start(t)
	aliceID, tok := env.AddUser("alice", 4)
	c := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))

	// A slow handler behind the hub's middleware: the event is committed
	// (and would be sent) 300 ms before the reply.
	const slow = 300 * time.Millisecond
	h := env.App.Hub.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		appendProbe(t, env, "instance-1", "test:added", eventstore.Metadata{ActorKind: eventstore.ActorUser,
			ActorID: aliceID, RequestID: "slow-1", Command: "instance.add"}, map[string]any{"user_id": aliceID})
		time.Sleep(slow)
		w.Write([]byte(`{"data":{"type":"instance","attributes":{"response":true}}}`))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	start := time.Now()
	resp, err := http.Post(srv.URL+"/api/v1/instance.add", "application/json", bytes.NewReader([]byte(`{"request_id":"slow-1"}`)))
	if err != nil {
		t.Fatal(err)
	}
	replied := time.Now()
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	got := c.waitFor(wait, func(m msg) bool { return m.RequestID == "slow-1" })
	m := got[len(got)-1]
	if m.Type != "instance.add" {
		t.Fatalf("message type %q", m.Type)
	}
	if m.at.Before(replied) || m.at.Sub(start) < slow {
		t.Fatalf("completion sent %s after the request, %s before the reply", m.at.Sub(start), replied.Sub(m.at))
	}
	if env.App.Hub.Stats().Held == 0 {
		t.Error("nothing was held")
	}

	// The same through the real API: the login's event follows its reply.
	loginStart := time.Now()
	login(env, "alice", "login-order")
	replied = time.Now()
	got = c.waitFor(wait, func(m msg) bool { return m.RequestID == "login-order" })
	if at := got[len(got)-1].at; at.Before(replied) {
		t.Fatalf("login event at +%s, before the reply at +%s", at.Sub(loginStart), replied.Sub(loginStart))
	}
}

// The WebSocket frame is exactly the SSE data line.
func TestWebSocketCarriesTheSameMessages(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("alice", 4)
	sse := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))
	sid := newStreamID(t, env)
	ws := openWS(t, streamURL(env, sid, ""), nil)
	env.MustOK("event.auth", tok, map[string]any{"stream": sid, "request_id": "ws-auth"})
	if m, _ := ws.next(wait); m.Type != "event.auth" || m.RequestID != "ws-auth" {
		t.Fatalf("first frame: %+v", m)
	}
	login(env, "alice", "ws-login")
	a := sse.waitFor(wait, func(m msg) bool { return m.RequestID == "ws-login" })
	b := ws.waitFor(wait, func(m msg) bool { return m.RequestID == "ws-login" })
	if a[len(a)-1].raw != b[len(b)-1].raw {
		t.Fatalf("SSE data %s\nWebSocket frame %s", a[len(a)-1].raw, b[len(b)-1].raw)
	}
}

var _ = apptest.Password
