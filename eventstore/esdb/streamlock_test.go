package esdb

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStreamLocksSerialiseOneStream(t *testing.T) {
	var l streamLocks
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			unlock, err := l.lock(context.Background(), "s")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if maxInside.Load() != 1 {
		t.Fatalf("%d appends held one stream at once", maxInside.Load())
	}
	if len(l.locks) != 0 {
		t.Fatalf("%d locks left after all were released", len(l.locks))
	}
}

func TestStreamLocksOtherStreamsAndCancel(t *testing.T) {
	var l streamLocks
	unlock, err := l.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := l.lock(context.Background(), "b")
	if err != nil {
		t.Fatalf("stream b blocked by a: %v", err)
	}
	unlockB()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.lock(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting on a held stream = %v, want DeadlineExceeded", err)
	}
	unlock()
	if len(l.locks) != 0 {
		t.Fatalf("%d locks left", len(l.locks))
	}
}
