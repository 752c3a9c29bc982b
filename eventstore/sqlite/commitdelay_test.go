package sqlite_test

import (
	"context"
	"fmt"
	"sync"
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

// Concurrent callers still all get their events committed, each once,
// with the delay on; the batches they shared are visible as events with
// the same commit time.
func TestCommitDelayUnderConcurrentCallers(t *testing.T) {
	s := openTemp(t, sqlite.WithCommitDelay(5*time.Millisecond))
	const callers, each = 8, 25
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
				time.Sleep(time.Millisecond) // paced, like API calls
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
	if len(all) != callers*each {
		t.Fatalf("read %d events, want %d", len(all), callers*each)
	}
	commits := map[time.Time]int{}
	for _, ev := range all {
		commits[ev.Time]++
	}
	if len(commits) >= len(all) {
		t.Fatalf("%d events in %d commits: no append waited for another", len(all), len(commits))
	}
	t.Logf("%d events in %d commits", len(all), len(commits))
}
