package instancetest

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// message is one message of the event stream, as the front-end reads it.
type message struct {
	Type      string `json:"type"`
	RequestID string `json:"request_id"`
	Body      string `json:"body"`
	EventType string `json:"event_type"`
}

// subscribe opens an SSE stream bound to the harness's user and returns
// its messages.
func (h *harness) subscribe(t *testing.T) <-chan message {
	t.Helper()
	id, _ := h.MustOK("config.get", "", nil).Attrs()["stream"].(string)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/api/v1/event.subscribe?stream="+id, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("event.subscribe: %v %v", err, resp)
	}
	out := make(chan message, 1000)
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m message
				if json.Unmarshal([]byte(data), &m) == nil && m.Type != "" {
					out <- m
				}
			}
		}
	}()
	return out
}

// callback waits for the first message the front-end would hand to its
// task_<typ>_<rid> callback, and returns its body's attributes.
func callback(t *testing.T, msgs <-chan message, typ, rid string) map[string]any {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatal("the stream closed")
			}
			if m.Type != typ || m.RequestID != rid {
				continue
			}
			var body struct {
				Data struct {
					Type       string         `json:"type"`
					Attributes map[string]any `json:"attributes"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(m.Body), &body); err != nil || body.Data.Type != "instance" {
				t.Fatalf("message body %q: %v", m.Body, err)
			}
			return body.Data.Attributes
		case <-timeout:
			t.Fatalf("no %s message for %s", typ, rid)
		}
	}
}

// TestStreamCarriesTheOutcomes: the first instance.add message of a
// request is its outcome (the instance runs), not the request itself;
// likewise for instance.action — what the original front-end waits for.
func TestStreamCarriesTheOutcomes(t *testing.T) {
	h := start(t)
	msgs := h.subscribe(t)
	n := name("uivmm-it")
	removeLater(t, h.lxd, n)
	rid := newRequestID()
	h.MustOK("instance.add", h.token, h.addBody(n, "request_id", rid))
	if a := callback(t, msgs, "instance.add", rid); a["instance_status"] != "running" || a["instance_name"] != n {
		t.Fatalf("instance.add message attributes %v, want %s running", a, n)
	}
	rid = newRequestID()
	h.MustOK("instance.action", h.token, h.on("instance_name", n, "instance_status", "stop-force", "request_id", rid))
	if a := callback(t, msgs, "instance.action", rid); a["instance_status"] != "stopped" {
		t.Fatalf("instance.action message attributes %v, want stopped", a)
	}
	rid = newRequestID()
	h.MustOK("instance.action", h.token, h.on("instance_name", n, "instance_status", "freeze", "request_id", rid))
	if a := callback(t, msgs, "instance.action", rid); a["instance_status"] != "failure" || a["reason"] == "" {
		t.Fatalf("a failed action's message attributes %v, want failure and a reason", a)
	}
	rid = newRequestID()
	h.MustOK("instance.action", h.token, h.on("instance_name", n, "instance_status", "delete", "request_id", rid))
	if a := callback(t, msgs, "instance.action", rid); a["instance_status"] != "deleted" {
		t.Fatalf("delete message attributes %v", a)
	}
}
