package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

func subscribeCases() []testCase {
	return []testCase{
		{"Subscribe/CatchUpThenLiveUnderLoad", testSubscribeHandOver},
		{"Subscribe/FromMiddleCheckpoint", testSubscribeFromMiddle},
		{"Subscribe/FromHeadSeesOnlyNew", testSubscribeFromHead},
		{"Subscribe/CancelWhileLive", testSubscribeCancelLive},
		{"Subscribe/CancelInHandler", testSubscribeCancelInHandler},
		{"Subscribe/Deadline", testSubscribeDeadline},
		{"Subscribe/HandlerErrorInCatchUp", testHandlerErrorCatchUp},
		{"Subscribe/HandlerErrorWhileLive", testHandlerErrorLive},
	}
}

// subscribeTimeout bounds one subscription of the suite.
const subscribeTimeout = 30 * time.Second

// collector is a subscription that keeps this subtest's events, fails on
// any out-of-order position, and cancels itself once it holds want events.
type collector struct {
	f      *fixture
	want   int
	cancel context.CancelFunc
	reach  chan struct{} // closed once want events arrived
	got    []eventstore.RecordedEvent
	last   uint64
}

func (f *fixture) collect(want int) *collector {
	return &collector{f: f, want: want, reach: make(chan struct{})}
}

// start runs the subscription from after in a goroutine and returns the
// channel that receives its result. With stop set, it cancels itself when
// want events arrived.
func (c *collector) start(after uint64, stop bool) <-chan error {
	ctx, cancel := context.WithTimeout(c.f.ctx, subscribeTimeout)
	c.cancel, c.last = cancel, after
	done := make(chan error, 1)
	go func() {
		defer cancel()
		done <- c.f.store.Subscribe(ctx, after, func(_ context.Context, ev eventstore.RecordedEvent) error {
			if ev.Position <= c.last || ev.Position > eventstore.MaxPosition {
				return fmt.Errorf("position %d delivered after %d", ev.Position, c.last)
			}
			c.last = ev.Position
			if c.f.mine(ev) {
				c.got = append(c.got, ev)
			}
			if len(c.got) == c.want && c.f.mine(ev) {
				close(c.reach)
				if stop {
					cancel()
				}
			}
			return nil
		})
	}()
	return done
}

// finish waits for the subscription's result and fails unless it is want.
func (c *collector) finish(done <-chan error, want error) {
	c.f.t.Helper()
	select {
	case err := <-done:
		if !errors.Is(err, want) {
			c.f.t.Fatalf("Subscribe returned %v with %d of %d events, want %v", err, len(c.got), c.want, want)
		}
	case <-time.After(subscribeTimeout + 5*time.Second):
		c.f.t.Fatalf("Subscribe did not return")
	}
}

// writeChunks appends n events to stream in appends of 1 to 4 events,
// counting each appended event in count.
func (f *fixture) writeChunks(stream string, n int, count *atomic.Int64) error {
	exp := eventstore.NoStream()
	for written := 0; written < n; {
		size := min(1+written%4, n-written)
		res, err := f.store.Append(f.ctx, stream, exp, f.events("load", size)...)
		if err != nil {
			return fmt.Errorf("appending to %s at %s: %w", stream, exp, err)
		}
		exp = eventstore.Exact(res.NextRevision)
		written += size
		count.Add(int64(size))
	}
	return nil
}

// testSubscribeHandOver starts subscriptions at several moments while four
// writers append 2000 events: each one sees every event once, in order.
func testSubscribeHandOver(f *fixture) {
	const writers, perWriter = 4, 500
	const total = writers * perWriter
	start := f.head()
	var appended atomic.Int64
	var wg sync.WaitGroup
	writeErrs := make([]error, writers)
	for w := range writers {
		wg.Go(func() { writeErrs[w] = f.writeChunks(f.stream(fmt.Sprint("w", w)), perWriter, &appended) })
	}
	subs := make([]*collector, 3)
	dones := make([]<-chan error, len(subs))
	for i := range subs {
		f.waitFor(func() bool { return appended.Load() >= int64(i*total/len(subs)) })
		subs[i] = f.collect(total)
		dones[i] = subs[i].start(start, true)
	}
	wg.Wait()
	if err := errors.Join(writeErrs...); err != nil {
		f.t.Fatal(err)
	}
	want := ids(f.readMine(start))
	if len(want) != total {
		f.t.Fatalf("ReadAll found %d events, want %d", len(want), total)
	}
	for i, sub := range subs {
		sub.finish(dones[i], context.Canceled)
		sameIDs(f.t, fmt.Sprintf("subscriber %d", i), ids(sub.got), want)
	}
}

// waitFor polls cond until it holds or the subtest's context ends.
func (f *fixture) waitFor(cond func() bool) {
	f.t.Helper()
	for !cond() {
		select {
		case <-f.ctx.Done():
			f.t.Fatalf("condition not reached: %v", f.ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

func testSubscribeFromMiddle(f *fixture) {
	stream := f.stream("middle")
	evs := f.events("mid", 10)
	var results []eventstore.AppendResult
	for _, ev := range evs {
		results = append(results, f.mustAppend(stream, eventstore.Any(), ev))
	}
	c := f.collect(5)
	done := c.start(results[4].Position, true)
	c.finish(done, context.Canceled)
	sameIDs(f.t, "from checkpoint", ids(c.got), ids(evs[5:]))
}

func testSubscribeFromHead(f *fixture) {
	f.mustAppend(f.stream("old"), eventstore.NoStream(), f.events("old", 3)...)
	c := f.collect(3)
	done := c.start(f.head(), true)
	evs := f.events("new", 3)
	f.mustAppend(f.stream("new"), eventstore.NoStream(), evs...)
	c.finish(done, context.Canceled)
	sameIDs(f.t, "from head", ids(c.got), ids(evs))
}
