package sqlite

import (
	"github.com/uivmm/uivmm/eventstore"
	"testing"
	"time"
)

// The writer waits for more appends only while other callers are
// appending: never for a lone caller, never after a pause, never when
// the delay is off.
func TestCommitDelayPolicy(t *testing.T) {
	const max = 2 * time.Millisecond
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

	var lone commitDelay
	lone.max = max
	for i := range 100 { // one append at a time, each right after the last commit
		now := at(float64(i))
		if w := lone.wait(now); w != 0 {
			t.Fatalf("lone caller, append %d: waits %v", i, w)
		}
		lone.committed(now.Add(500*time.Microsecond), 1, 0)
	}

	var busy commitDelay
	busy.max = max
	if w := busy.wait(at(0)); w != 0 {
		t.Fatalf("first append: waits %v", w)
	}
	busy.committed(at(1), 1, 2) // two more arrived during the commit
	if w := busy.wait(at(1.2)); w != max {
		t.Fatalf("after a commit others arrived during: waits %v, want %v", w, max)
	}
	busy.committed(at(3.5), 3, 0) // the wait gathered three
	if w := busy.wait(at(4)); w != max {
		t.Fatalf("while batches are joined: waits %v, want %v", w, max)
	}
	if w := busy.wait(at(3.5 + 4*2 + 0.1)); w != 0 {
		t.Fatalf("after a pause longer than four delays: waits %v", w)
	}
	busy.committed(at(20), 1, 0)
	busy.committed(at(21), 1, 0)
	busy.committed(at(22), 1, 0)
	busy.committed(at(23), 1, 0)
	if w := busy.wait(at(23.5)); w != 0 {
		t.Fatalf("after four batches alone: waits %v (joined %.2f)", w, busy.joined)
	}

	off := commitDelay{joined: 1, lastDone: at(0)}
	if w := off.wait(at(0.5)); w != 0 {
		t.Fatalf("delay off: waits %v", w)
	}
}

// gather takes the appends that arrive within the delay, up to the batch
// size; with no delay, only those already queued.
func TestGatherWaitsForLateAppends(t *testing.T) {
	req := func() *appendReq { return &appendReq{events: make([]eventstore.EventData, 1)} }
	for _, tc := range []struct {
		linger time.Duration
		want   int
	}{{time.Minute, 4}, {0, 1}} {
		s := &Store{reqs: make(chan *appendReq, 8), cfg: config{maxBatch: 4}}
		sent := make(chan struct{})
		go func() { // three more appends, 10 ms apart: none queued yet when gather starts
			defer close(sent)
			for range 3 {
				time.Sleep(10 * time.Millisecond)
				s.reqs <- req()
			}
		}()
		if got := len(s.gather(req(), tc.linger)); got != tc.want {
			t.Errorf("gather with a delay of %v took %d appends, want %d", tc.linger, got, tc.want)
		}
		<-sent
	}
}
