package stream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Where the connection cannot be taken over (here a recorder; in
// production HTTP/2), SSE goes through the ResponseWriter, flushed.
func TestSSEFallsBackToTheResponseWriter(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/event.subscribe?stream=x", nil)
	tr, ctx, finish := startSSE(context.Background(), rec, req, time.Second)
	defer finish()
	if tr.conn != nil || ctx.Err() != nil {
		t.Fatalf("took over a recorder: conn %v, ctx %v", tr.conn, ctx.Err())
	}
	if err := tr.write(ctx, []*event{framed(&event{pos: 7, line: []byte(`{"a":1}`)}), framed(&event{synthetic: true, line: []byte(`{"b":2}`)})}); err != nil {
		t.Fatal(err)
	}
	tr.close(ctx, reasonOverflow)
	want := "id: 7\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\nevent: close\ndata: {\"reason\":\"overflow\"}\n\n"
	if rec.Code != 200 || rec.Body.String() != want || !rec.Flushed || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("code %d flushed %v headers %v body %q", rec.Code, rec.Flushed, rec.Header(), rec.Body.String())
	}
}
