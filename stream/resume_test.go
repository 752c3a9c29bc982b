package stream_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/stream"
)

// writeProbes appends n events, one every gap, on probe streams; the last
// one has request id "last".
func writeProbes(t testing.TB, env *apptest.Env, n int, gap time.Duration) {
	for i := 1; i <= n; i++ {
		rid := fmt.Sprintf("probe-%d", i)
		if i == n {
			rid = "last"
		}
		appendProbe(t, env, fmt.Sprintf("probe-%d", i%7+1), "test:probed",
			eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: rid}, map[string]any{"i": i})
		time.Sleep(gap)
	}
}

// visibleAfter lists the positions after `after` a privileged user may
// see, from the log.
func visibleAfter(t testing.TB, env *apptest.Env, after uint64) []uint64 {
	cat := stream.NewCatalog()
	var out []uint64
	for _, rec := range env.Events() {
		if rec.Position > after && !cat.Hidden(rec) {
			out = append(out, rec.Position)
		}
	}
	return out
}

func positions(ms []msg) []uint64 {
	out := make([]uint64, 0, len(ms))
	for _, m := range ms {
		if m.Position != 0 {
			out = append(out, m.Position)
		}
	}
	return out
}

func TestResumeHasNoGapAndNoDuplicate(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("root", 1)
	first := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(tok))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeProbes(t, env, 400, time.Millisecond)
	}()
	// Read part of the stream, then drop the connection mid-flow.
	var got []msg
	for len(got) < 60 {
		m, ok := first.next(wait)
		if !ok {
			t.Fatal("stream ended")
		}
		got = append(got, m)
	}
	first.close()
	last := got[len(got)-1]
	if last.id != itoa(last.Position) {
		t.Fatalf("SSE id %q is not the position %d", last.id, last.Position)
	}
	time.Sleep(50 * time.Millisecond) // writes go on while nobody listens

	// EventSource's reconnect (Last-Event-ID), and ?from on a WebSocket.
	hdr := bearer(tok)
	hdr.Set("Last-Event-ID", last.id)
	sse := openSSE(t, streamURL(env, newStreamID(t, env), ""), hdr)
	ws := openWS(t, streamURL(env, newStreamID(t, env), "from="+last.id), bearer(tok))
	isLast := func(m msg) bool { return m.RequestID == "last" }
	sseGot := sse.waitFor(wait, isLast)
	wsGot := ws.waitFor(wait, isLast)
	wg.Wait()

	want := visibleAfter(t, env, last.Position)
	for name, ms := range map[string][]msg{"Last-Event-ID": sseGot, "from": wsGot} {
		if err := sameSequence(positions(ms), want); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The first connection, too, saw the log in order from its start.
	if err := sameSequence(positions(got), visibleAfter(t, env, got[0].Position-1)[:len(got)]); err != nil {
		t.Errorf("first connection: %v", err)
	}
}

func sameSequence(got, want []uint64) error {
	seen := map[uint64]bool{}
	for i, p := range got {
		if seen[p] {
			return fmt.Errorf("duplicate position %d", p)
		}
		seen[p] = true
		if i >= len(want) || want[i] != p {
			w := "nothing"
			if i < len(want) {
				w = itoa(want[i])
			}
			return fmt.Errorf("message %d has position %d, want %s (gap or disorder)", i, p, w)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("got %d messages, want %d", len(got), len(want))
	}
	return nil
}

func TestResumeFromZeroReplaysOnlyWhatTheUserMaySee(t *testing.T) {
	env := apptest.Start(t)
	_, aliceTok := env.AddUser("alice", 4)
	bobID, _ := env.AddUser("bob", 4)
	login(env, "bob", "bob-1")
	login(env, "alice", "alice-1")
	c := openSSE(t, streamURL(env, newStreamID(t, env), "from=0"), bearer(aliceTok))
	got := c.waitFor(wait, func(m msg) bool { return m.RequestID == "alice-1" })
	for _, m := range got {
		if m.RequestID == "bob-1" || m.Stream == fmt.Sprintf("user-%d", bobID) {
			t.Errorf("alice replayed %s %s", m.EventType, m.Stream)
		}
	}
	if len(got) < 3 { // her registration, her AddUser login, alice-1
		t.Errorf("replay too short: %v", summary(got))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, streamURL(env, newStreamID(t, env), ""), nil)
	if r := env.Do(req); r.Status != 200 {
		t.Errorf("HEAD: %d", r.Status)
	}
}

// A long catch-up with a tiny live queue: live messages that do not fit
// are read from the log instead, and the subscriber is not dropped. The
// client reads nothing until the writes are done, so the catch-up is
// still blocked on it when they arrive.
func TestLongCatchUpWithATinyQueue(t *testing.T) {
	env := apptest.Start(t, func(c *config.Config) { c.EventStream.Buffer = 8 })
	_, tok := env.AddUser("root", 1)
	for i := range 60 { // 6000 old events of 500 bytes, more than the socket buffers hold
		evs := make([]eventstore.EventData, 100)
		for j := range evs {
			evs[j] = eventstore.EventData{ID: uuid.NewString(), Type: "test:probed", Metadata: sysMeta(fmt.Sprintf("old-%d-%d", i, j)),
				Data: []byte(`{"pad":"` + strings.Repeat("x", 500) + `"}`)}
		}
		if _, err := env.App.Store.Append(context.Background(), "probe-1", eventstore.Any(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	gate := make(chan struct{})
	c := openSSE(t, streamURL(env, newStreamID(t, env), "from=0"), bearer(tok), gate)
	time.Sleep(100 * time.Millisecond) // the catch-up fills the socket and blocks
	writeProbes(t, env, 200, 0)
	waitFor(t, func() bool { return env.App.Hub.Stats().Overruns > 0 })
	close(gate)
	got := c.waitFor(30*time.Second, func(m msg) bool { return m.RequestID == "last" })
	if err := sameSequence(positions(got), visibleAfter(t, env, 0)); err != nil {
		t.Fatal(err)
	}
	if st := env.App.Hub.Stats(); st.Kicked != 0 || st.Overruns == 0 {
		t.Fatalf("kicked %d, overruns %d: want 0 and some", st.Kicked, st.Overruns)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(wait); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
