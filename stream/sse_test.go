package stream_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
)

// On HTTP/1.1 the SSE response is written on the taken-over connection:
// a plain response head (no chunked encoding, "Connection: close"), the
// access log's headers kept, and a client that goes away is noticed.
func TestSSEOnTakenOverConnection(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("carol", 1)
	sid := newStreamID(t, env)
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET /api/v1/event.subscribe?stream=" + sid + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok + "\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || !resp.Close ||
		len(resp.TransferEncoding) != 0 || resp.ContentLength != -1 {
		t.Fatalf("response head: %d %v close=%v te=%v len=%d", resp.StatusCode, resp.Header, resp.Close, resp.TransferEncoding, resp.ContentLength)
	}
	// The body is the raw event stream, pings included.
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != ": ping\n" && !strings.HasPrefix(line, "data: ") && !strings.HasPrefix(line, "id: ") {
		t.Fatalf("first body line %q, %v", line, err)
	}
	if n := env.App.Hub.Stats().Subscribers; n != 1 {
		t.Fatalf("%d subscribers, want 1", n)
	}
	conn.Close()
	deadline := time.Now().Add(wait)
	for env.App.Hub.Stats().Subscribers != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the hub did not notice the client went away")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The access log has the stream as a 200, not a protocol switch.
	for !accessLogged(env.Logs.String(), "path=/api/v1/event.subscribe status=200") {
		if time.Now().After(deadline) {
			t.Fatalf("no access log line with status 200:\n%s", env.Logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func accessLogged(logs, want string) bool {
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "http request") && strings.Contains(line, want) {
			return true
		}
	}
	return false
}
