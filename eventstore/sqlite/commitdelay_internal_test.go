package sqlite

import (
	"testing"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

// The writer waits for more appends only while other callers are
// appending (and then until shareBy, or as many as the last commit held,
// share the commit): never for a lone caller, never after a pause, never
// when the delay is off.
func TestCommitDelayWaitsOnlyForOtherCallers(t *testing.T) {
	const max = 2 * time.Millisecond
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }
	waits := func(d *commitDelay, now time.Time) bool { w, _ := d.wait(now); return w > 0 }

	lone := commitDelay{max: max}
	for i := range 100 { // one append at a time, each right after the last commit
		if waits(&lone, at(float64(i))) {
			t.Fatalf("lone caller, append %d: waits", i)
		}
		lone.committed(at(float64(i)+0.5), gatheredOf(1, 0), 0)
	}

	busy := commitDelay{max: max}
	if waits(&busy, at(0)) {
		t.Fatal("first append: waits")
	}
	busy.committed(at(1), gatheredOf(1, 0), 2) // two more arrived during the commit
	if w, n := busy.wait(at(1.2)); w != max || n != shareBy {
		t.Fatalf("after a commit others arrived during: waits %v for %d, want %v for %d", w, n, max, shareBy)
	}
	busy.committed(at(3.5), gatheredOf(3, 2), 0) // two arrived during the wait
	if w, n := busy.wait(at(4)); w != max || n != shareBy {
		t.Fatalf("after a wait others arrived during: waits %v for %d, want %v for %d", w, n, max, shareBy)
	}
	busy.committed(at(4.5), gatheredOf(40, 0), 3) // forty callers, three back already
	if w, n := busy.wait(at(5)); w != max || n != 40 {
		t.Fatalf("after a commit of forty: waits %v for %d, want %v for 40", w, n, max)
	}
	busy.committed(at(6), gatheredOf(3, 2), 0)
	if waits(&busy, at(6+4*2+0.1)) {
		t.Fatal("after a pause longer than four delays: waits")
	}
	for i := range 4 { // callers that each wait for their commit: nothing arrives during one
		busy.committed(at(20+float64(i)), gatheredOf(8, 0), 0)
	}
	if waits(&busy, at(23.5)) {
		t.Fatalf("after four commits nothing arrived during: waits (arriving %.2f)", busy.arriving)
	}

	off := commitDelay{arriving: 1, lastDone: at(0)}
	if waits(&off, at(0.5)) {
		t.Fatal("delay off: waits")
	}
}

// gatheredOf is a batch of size appends, late of them during a wait.
func gatheredOf(size, late int) gathered {
	return gathered{batch: make([]*appendReq, size), waited: late > 0, late: late}
}

// gather takes what is queued; then, given a delay, it waits for the
// appends that arrive within it until the batch holds as many as wanted
// (or is full).
func TestGatherWaitsForLateAppends(t *testing.T) {
	req := func() *appendReq { return &appendReq{events: make([]eventstore.EventData, 1)} }
	for _, tc := range []struct {
		linger     time.Duration
		want       int
		queued     int // before gather starts
		late       int // sent 10 ms apart once it has
		got        int
		waited     bool
		maxBatched int
	}{
		{linger: time.Minute, want: 4, late: 3, got: 4, waited: true, maxBatched: 100},
		{linger: time.Minute, want: 100, late: 3, got: 4, waited: true, maxBatched: 4},            // ends full
		{linger: 0, want: 0, queued: 2, late: 3, got: 3, maxBatched: 100},                         // no delay: only what is queued
		{linger: time.Minute, want: 3, queued: 2, late: 3, got: 3, maxBatched: 100},               // enough queued: no wait
		{linger: 30 * time.Millisecond, want: 50, late: 1, got: 2, waited: true, maxBatched: 100}, // the delay runs out
	} {
		s := &Store{reqs: make(chan *appendReq, 16), cfg: config{maxBatch: tc.maxBatched}}
		for range tc.queued {
			s.reqs <- req()
		}
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			for range tc.late {
				time.Sleep(10 * time.Millisecond)
				s.reqs <- req()
			}
		}()
		g := s.gather(req(), tc.linger, tc.want)
		if len(g.batch) != tc.got || g.waited != tc.waited || g.late != tc.got-1-tc.queued && g.waited {
			t.Errorf("%+v: gathered %+v", tc, g)
		}
		<-sent
	}
}
