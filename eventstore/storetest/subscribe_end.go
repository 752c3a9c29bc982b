package storetest

import (
	"context"
	"errors"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

// errHandler is the error the suite's handlers fail with.
var errHandler = errors.New("storetest: handler failed")

func testSubscribeCancelLive(f *fixture) {
	c := f.collect(3)
	done := c.start(f.head(), false)
	f.mustAppend(f.stream("live"), eventstore.NoStream(), f.events("live", 3)...)
	select {
	case <-c.reach:
	case err := <-done:
		f.t.Fatalf("Subscribe returned %v before delivering our events", err)
	}
	time.Sleep(50 * time.Millisecond) // let the subscription go idle
	c.cancel()
	c.finish(done, context.Canceled)
}

// testSubscribeCancelInHandler cancels the subscription's context from the
// handler: Subscribe returns ctx.Err() and calls the handler no more.
func testSubscribeCancelInHandler(f *fixture) {
	start := f.head()
	f.mustAppend(f.stream("cancel"), eventstore.NoStream(), f.events("c", 5)...)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	calls := 0
	err := f.store.Subscribe(ctx, start, func(context.Context, eventstore.RecordedEvent) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		f.t.Fatalf("Subscribe = %v after %d handler calls, want context.Canceled after 1", err, calls)
	}
}

func testSubscribeDeadline(f *fixture) {
	ctx, cancel := context.WithTimeout(f.ctx, 300*time.Millisecond)
	defer cancel()
	err := f.store.Subscribe(ctx, f.head(), func(context.Context, eventstore.RecordedEvent) error {
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		f.t.Fatalf("Subscribe = %v, want context.DeadlineExceeded", err)
	}
}

// failOn returns a handler that fails on the n-th event of this subtest
// (counting from 1) and records calls after the failure in *late.
func (f *fixture) failOn(n int, seen, late *int) eventstore.Handler {
	return func(_ context.Context, ev eventstore.RecordedEvent) error {
		if !f.mine(ev) {
			return nil
		}
		if *seen >= n {
			*late++
		}
		*seen++
		if *seen == n {
			return errHandler
		}
		return nil
	}
}

func testHandlerErrorCatchUp(f *fixture) {
	start := f.head()
	f.mustAppend(f.stream("fail"), eventstore.NoStream(), f.events("f", 5)...)
	var seen, late int
	err := f.store.Subscribe(f.ctx, start, f.failOn(3, &seen, &late))
	if !errors.Is(err, errHandler) || seen != 3 || late != 0 {
		f.t.Fatalf("Subscribe = %v after %d events (%d late), want the handler's error after 3", err, seen, late)
	}
}

// testHandlerErrorLive fails on an event appended after the subscription
// delivered an earlier one, so it arrives through the live path.
func testHandlerErrorLive(f *fixture) {
	stream := f.stream("live-fail")
	delivered := make(chan struct{})
	var seen int
	done := make(chan error, 1)
	start := f.head()
	go func() {
		done <- f.store.Subscribe(f.ctx, start, func(_ context.Context, ev eventstore.RecordedEvent) error {
			if !f.mine(ev) {
				return nil
			}
			seen++
			if seen == 1 {
				close(delivered)
				return nil
			}
			return errHandler
		})
	}()
	f.mustAppend(stream, eventstore.NoStream(), f.event("first"))
	select {
	case <-delivered:
	case err := <-done:
		f.t.Fatalf("Subscribe returned %v before the first event", err)
	}
	f.mustAppend(stream, eventstore.Exact(0), f.event("second"))
	select {
	case err := <-done:
		if !errors.Is(err, errHandler) || seen != 2 {
			f.t.Fatalf("Subscribe = %v after %d events, want the handler's error after 2", err, seen)
		}
	case <-time.After(subscribeTimeout):
		f.t.Fatal("Subscribe did not end after the handler failed")
	}
}
