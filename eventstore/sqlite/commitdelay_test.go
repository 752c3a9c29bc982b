package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// With a commit delay of a minute, a lone caller's appends (each after
// the last returned) still commit at once: the writer waits only while
// other callers append. Were it to wait, each append would run into its
// deadline.
func TestCommitDelaySparesALoneCaller(t *testing.T) {
	s := openTemp(t, sqlite.WithCommitDelay(time.Minute))
	for i := range 50 {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		_, err := s.Append(ctx, "lone", eventstore.Any(), benchEvent())
		cancel()
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// Callers that append again as soon as they are answered (a bulk load)
// are not held back by the delay: a commit waits only until eight appends
// share it, and they are back within moments. With a one-minute delay,
// any wait that ran its course would run the appends into their deadline.
func TestCommitDelayLetsCallersThatComeStraightBackThrough(t *testing.T) {
	s := openTemp(t, sqlite.WithCommitDelay(time.Minute))
	ctx, stop := context.WithTimeout(t.Context(), 20*time.Second)
	defer stop()
	var done atomic.Int64
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done.Load() < 400 {
				if _, err := s.Append(ctx, fmt.Sprintf("caller-%d", c), eventstore.Any(), benchEvent()); err != nil {
					return
				}
				if done.Add(1) == 400 {
					stop() // the last few callers would wait for the others
				}
			}
		}()
	}
	wg.Wait()
	if n := done.Load(); n < 400 {
		t.Fatalf("%d appends before the deadline, want 400", n)
	}
}

// Paced callers (each append a moment after the last returned, as API
// requests come) share commits: the writer waits for them, and every
// event is committed once. With the delay off it never waits.
func TestCommitDelayGathersPacedCallers(t *testing.T) {
	for _, delay := range []time.Duration{5 * time.Millisecond, 0} {
		s := openTemp(t, sqlite.WithCommitDelay(delay))
		const callers, each = 4, 50
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if _, err := s.Append(t.Context(), fmt.Sprintf("caller-%d", c), eventstore.Any(), benchEvent()); err != nil {
						errs <- fmt.Errorf("caller %d append %d: %w", c, i, err)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		all, err := s.ReadAll(t.Context(), 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ev := range all {
			if seen[ev.ID] {
				t.Fatalf("event %s committed twice", ev.ID)
			}
			seen[ev.ID] = true
		}
		commits, delayed := s.CommitCounts()
		t.Logf("delay %v: %d events in %d commits, %d of them waited", delay, len(all), commits, delayed)
		switch {
		case len(all) != callers*each:
			t.Fatalf("delay %v: read %d events, want %d", delay, len(all), callers*each)
		case delay > 0 && delayed == 0:
			t.Fatalf("delay %v: no commit waited for paced callers", delay)
		case delay == 0 && delayed != 0:
			t.Fatalf("delay off: %d commits waited", delayed)
		}
	}
}
