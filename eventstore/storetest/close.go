package storetest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

func closeCases() []testCase {
	return []testCase{
		{"Close/RejectsLaterCalls", testCloseRejects},
		{"Close/EndsSubscriptions", testCloseEndsSubscriptions},
		{"Close/FinishesInFlightAppends", testCloseInFlight},
	}
}

func testCloseRejects(f *fixture) {
	stream := f.stream("closed")
	f.mustAppend(stream, eventstore.NoStream(), f.event("before"))
	if err := f.store.Close(); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	_, appendErr := f.store.Append(f.ctx, stream, eventstore.Any(), f.event("after"))
	_, streamErr := f.store.ReadStream(f.ctx, stream, 0)
	_, allErr := f.store.ReadAll(f.ctx, 0, 10)
	_, headErr := f.store.Head(f.ctx)
	subErr := f.store.Subscribe(f.ctx, 0, func(context.Context, eventstore.RecordedEvent) error { return nil })
	for name, err := range map[string]error{
		"Append": appendErr, "ReadStream": streamErr, "ReadAll": allErr, "Head": headErr, "Subscribe": subErr,
	} {
		if !errors.Is(err, eventstore.ErrClosed) {
			f.t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func testCloseEndsSubscriptions(f *fixture) {
	c := f.collect(1)
	done := c.start(f.head(), false)
	f.mustAppend(f.stream("sub"), eventstore.NoStream(), f.event("live"))
	select {
	case <-c.reach:
	case err := <-done:
		f.t.Fatalf("Subscribe returned %v before delivering our event", err)
	}
	if err := f.store.Close(); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	c.finish(done, eventstore.ErrClosed)
}

// testCloseInFlight closes the store while appends run: Close succeeds and
// every append either succeeds or reports ErrClosed.
func testCloseInFlight(f *fixture) {
	const writers = 16
	var wg sync.WaitGroup
	errs := make([]error, writers)
	oks := make([]int, writers)
	for w := range writers {
		wg.Go(func() {
			stream := f.stream("w" + string(rune('a'+w)))
			for {
				_, err := f.store.Append(f.ctx, stream, eventstore.Any(), f.event("inflight"))
				if err != nil {
					errs[w] = err
					return
				}
				oks[w]++
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if err := f.store.Close(); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	total := 0
	for w, err := range errs {
		if !errors.Is(err, eventstore.ErrClosed) {
			f.t.Errorf("writer %d ended with %v, want ErrClosed", w, err)
		}
		total += oks[w]
	}
	if total == 0 {
		f.t.Fatal("no append succeeded before Close")
	}
}
