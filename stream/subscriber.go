package stream

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// closeReason says why the hub ends a connection.
type closeReason int

const (
	reasonNone        closeReason = iota
	reasonAuthTimeout             // not bound in time: a "close" event, or WebSocket 1000
	reasonOverflow                // queue overflowed: "close", or WebSocket 1008
	reasonReplaced                // a newer connection took the stream id: end quietly
	reasonShutdown                // the server stops: end quietly
)

func (r closeReason) String() string {
	switch r {
	case reasonAuthTimeout:
		return "auth_timeout"
	case reasonOverflow:
		return "overflow"
	case reasonReplaced:
		return "replaced"
	case reasonShutdown:
		return "shutdown"
	}
	return "none"
}

// transport writes to one client. Only the subscriber's serving goroutine
// calls it.
type transport interface {
	// write sends the events in order, each as one message.
	write(ctx context.Context, evs []*event) error
	// ping sends a keep-alive.
	ping(ctx context.Context) error
	// close ends the connection, telling the client why when the reason
	// calls for it.
	close(ctx context.Context, why closeReason)
}

// subscriber is one open connection on a stream id.
type subscriber struct {
	hub       *Hub
	streamID  string
	queue     chan *event
	principal atomic.Pointer[Principal]
	bound     chan struct{} // signalled on (re)binding
	nudge     chan struct{} // signalled when the queue is half full
	stopped   chan struct{} // closed by stop
	stopOnce  sync.Once
	reason    atomic.Int32
	// catchingUp is true until the first catch-up ends; overrun notes a
	// live message dropped meanwhile.
	catchingUp atomic.Bool
	overrun    atomic.Bool
	after      uint64 // resume checkpoint, set before serving
	// owned by the serving goroutine:
	caughtUp  bool
	lastSent  uint64
	lastWrite time.Time
	batch     []*event
}

func newSubscriber(h *Hub, streamID string, buffer int) *subscriber {
	s := &subscriber{hub: h, streamID: streamID, queue: make(chan *event, buffer),
		bound: make(chan struct{}, 1), nudge: make(chan struct{}, 1), stopped: make(chan struct{})}
	s.catchingUp.Store(true)
	return s
}

func (s *subscriber) notifyBound() {
	select {
	case s.bound <- struct{}{}:
	default:
	}
}

// stop asks the serving goroutine to end for why; the first reason wins.
func (s *subscriber) stop(why closeReason) {
	s.stopOnce.Do(func() {
		s.reason.Store(int32(why))
		close(s.stopped)
	})
}

// offer queues ev if s may see it, without blocking: a full queue stops
// the subscriber (it is too slow) and counts it.
func (s *subscriber) offer(ev *event) {
	p := s.principal.Load()
	if p == nil || !ev.visibleTo(p) {
		return
	}
	select {
	case s.queue <- ev:
		if 2*len(s.queue) >= cap(s.queue) {
			select {
			case s.nudge <- struct{}{}:
			default:
			}
		}
	default:
		if !ev.synthetic && s.catchingUp.Load() {
			s.overrun.Store(true) // catchUp reads it from the log
			s.hub.overruns.Add(1)
			return
		}
		s.hub.cfg.OnDrop()
		s.stopOnce.Do(func() {
			s.reason.Store(int32(reasonOverflow))
			close(s.stopped)
			s.hub.kicked.Add(1)
		})
	}
}

// serve runs the connection until the client goes, ctx ends or the hub
// stops it. It returns why it ended.
//
// Writes are paced: a quiet stream's message goes out at once, but after
// a write the subscriber stops listening to its queue and sleeps until
// the next tick of a hub-wide grid of FlushInterval, then sends whatever
// queued meanwhile in one write. Under load a subscriber so wakes once per
// tick, and every busy subscriber wakes on the same tick: the writes come
// in one burst that the runtime and the kernel handle back to back (and
// a client's poller finds many sockets ready at once). A queue that gets
// half full is written at once: pacing never overflows it.
func (s *subscriber) serve(ctx context.Context, t transport) closeReason {
	cfg := s.hub.cfg
	var authC <-chan time.Time
	if s.principal.Load() == nil {
		timer := time.NewTimer(cfg.AuthTimeout)
		defer timer.Stop()
		authC = timer.C
	}
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	tick := time.NewTimer(time.Hour)
	tick.Stop()
	defer tick.Stop()
	queue := s.queue           // nil while paced
	var tickC <-chan time.Time // the pacing tick, while paced
	// flush writes what is queued: paced again after a write, listening
	// to the queue again when there was nothing.
	flush := func(first *event) error {
		var batch []*event
		if first != nil {
			batch = s.drain(first)
		} else {
			select {
			case ev := <-s.queue:
				batch = s.drain(ev)
			default:
			}
		}
		if len(batch) == 0 {
			queue, tickC = s.queue, nil
			return nil
		}
		if err := s.deliver(ctx, t, batch); err != nil {
			return err
		}
		if cfg.FlushInterval <= 0 {
			return nil
		}
		select {
		case <-s.nudge: // stale: the queue was just emptied
		default:
		}
		tick.Reset(time.Until(nextTick(s.lastWrite, cfg.FlushInterval)))
		queue, tickC = nil, tick.C
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return reasonNone
		case <-s.stopped:
			why := closeReason(s.reason.Load())
			t.close(ctx, why)
			return why
		case <-authC:
			if s.principal.Load() == nil {
				t.close(ctx, reasonAuthTimeout)
				return reasonAuthTimeout
			}
		case <-s.bound:
			authC = nil
			if err := s.catchUp(ctx, t); err != nil {
				return s.failed(ctx, t, err)
			}
		case <-ping.C:
			if err := t.ping(ctx); err != nil {
				return s.failed(ctx, t, err)
			}
		case ev := <-queue:
			if err := flush(ev); err != nil {
				return s.failed(ctx, t, err)
			}
		case <-tickC:
			if err := flush(nil); err != nil {
				return s.failed(ctx, t, err)
			}
		case <-s.nudge:
			if queue != nil {
				continue // not paced: the queue case takes it
			}
			tick.Stop()
			if err := flush(nil); err != nil {
				return s.failed(ctx, t, err)
			}
		}
	}
}

// nextTick is the first tick of the FlushInterval grid at least half an
// interval after the last write: a write late in one tick's burst waits
// for the tick after the next.
func nextTick(lastWrite time.Time, fi time.Duration) time.Time {
	return lastWrite.Add(fi / 2).Truncate(fi).Add(fi)
}

// failed ends the connection after a failed write or read: closed
// properly when the hub stopped the subscriber meanwhile.
func (s *subscriber) failed(ctx context.Context, t transport, err error) closeReason {
	select {
	case <-s.stopped:
		why := closeReason(s.reason.Load())
		t.close(ctx, why)
		return why
	default:
	}
	if ctx.Err() == nil {
		s.hub.log.Debug("event stream write failed", "stream", s.streamID, "err", err)
	}
	return reasonNone
}

// drain collects ev and whatever else is queued, up to a batch.
func (s *subscriber) drain(ev *event) []*event {
	const maxBatch = 256
	b := append(s.batch[:0], ev)
	for len(b) < maxBatch {
		select {
		case e := <-s.queue:
			b = append(b, e)
		default:
			s.batch = b
			return b
		}
	}
	s.batch = b
	return b
}

// deliver writes evs in order, skipping positions already sent and
// holding each message whose request is still being answered until the
// reply is out (at most HoldMax).
func (s *subscriber) deliver(ctx context.Context, t transport, evs []*event) error {
	out := evs[:0] // filtered in place: out never overtakes the loop
	for _, ev := range evs {
		if !ev.synthetic {
			if ev.pos <= s.lastSent {
				continue
			}
			s.lastSent = ev.pos
		}
		if ev.held {
			if wait := s.hub.flights.wait(ev.requestID); wait != nil {
				if err := s.write(ctx, t, out); err != nil {
					return err
				}
				out = out[:0]
				s.hub.held.Add(1)
				if err := s.hold(ctx, wait); err != nil {
					return err
				}
			}
		}
		out = append(out, ev)
	}
	return s.write(ctx, t, out)
}

func (s *subscriber) write(ctx context.Context, t transport, evs []*event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := t.write(ctx, evs); err != nil {
		return err
	}
	s.lastWrite = time.Now()
	s.hub.delivered.Add(uint64(len(evs)))
	s.hub.writes.Add(1)
	return nil
}

// hold waits until wait closes, HoldMax passes, or the connection ends.
func (s *subscriber) hold(ctx context.Context, wait <-chan struct{}) error {
	timer := time.NewTimer(s.hub.cfg.HoldMax)
	defer timer.Stop()
	select {
	case <-wait:
		return nil
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stopped:
		return errStopped
	}
}

var errStopped = fmt.Errorf("subscriber stopped")
