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

// directWriter is a transport the dispatcher may also write to itself,
// without blocking and without waking the subscriber's goroutine.
type directWriter interface {
	// writeNow sends evs as far as the socket takes them at once.
	// written is false when nothing was sent (the socket is full, an
	// earlier rest is pending, or the transport cannot): the caller
	// queues evs instead. pending is true when only part was sent: the
	// transport keeps the rest and sends it before anything else, and
	// flushPending sends it, blocking.
	writeNow(evs []*event) (written, pending bool)
	flushPending() error
}

// subscriber is one open connection on a stream id.
type subscriber struct {
	hub      *Hub
	streamID string
	group    int           // flush group (see Hub.dispatch)
	queue    chan []*event // batches from the dispatcher (shared, read-only)
	// queued counts the messages offered to the queue and not yet
	// written (the hub's Buffer at most): while it is not zero, the
	// dispatcher queues rather than writes, so messages keep their order.
	queued atomic.Int64
	// wmu serialises writes to the transport (the serving goroutine's and
	// the dispatcher's) and guards lastSent, t and direct.
	wmu    sync.Mutex
	t      transport // while serving
	direct []*event  // the dispatcher's filtered batch
	// flushRest asks the serving goroutine to send what a direct write
	// left.
	flushRest chan struct{}
	principal atomic.Pointer[Principal]
	bound     chan struct{} // signalled on (re)binding
	stopped   chan struct{} // closed by stop
	stopOnce  sync.Once
	reason    atomic.Int32
	// catchingUp is true until the first catch-up ends; overrun notes a
	// live message dropped meanwhile.
	catchingUp atomic.Bool
	overrun    atomic.Bool
	after      uint64 // resume checkpoint, set before serving
	lastSent   uint64 // under wmu
	// owned by the serving goroutine:
	caughtUp bool
	batch    []*event
}

func newSubscriber(h *Hub, streamID string, buffer int) *subscriber {
	s := &subscriber{hub: h, streamID: streamID, queue: make(chan []*event, buffer),
		bound: make(chan struct{}, 1), stopped: make(chan struct{}), flushRest: make(chan struct{}, 1)}
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

// offer queues the events of batch that s may see, without blocking. A
// subscriber that still holds Buffer messages from earlier batches is too
// slow: it is stopped and counted (so a queue holds at most Buffer - 1
// messages plus one batch). batch is shared with other subscribers and
// never changed.
func (s *subscriber) offer(batch []*event) {
	p := s.principal.Load()
	if p == nil {
		return
	}
	evs := batch
	if !p.Privileged() {
		evs = nil
		for _, ev := range batch {
			if ev.visibleTo(p) {
				evs = append(evs, ev)
			}
		}
	}
	if len(evs) == 0 {
		return
	}
	n := int64(len(evs))
	if s.queued.Add(n)-n < int64(s.hub.cfg.Buffer) {
		select {
		case s.queue <- evs:
			return
		default: // cannot happen: a batch holds at least one message
		}
	}
	s.queued.Add(-n)
	if s.catchingUp.Load() && !hasSynthetic(evs) {
		s.overrun.Store(true) // catchUp reads them from the log
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

func hasSynthetic(evs []*event) bool {
	for _, ev := range evs {
		if ev.synthetic {
			return true
		}
	}
	return false
}

// tryDirect writes the events of batch that s may see straight to its
// transport when that cannot block and nothing is queued before them; it
// reports whether it did (otherwise the caller offers batch). It runs on
// the dispatcher: under load a busy subscriber's goroutine then sleeps,
// and each write costs the system call alone, without waking it.
func (s *subscriber) tryDirect(batch []*event) bool {
	p := s.principal.Load()
	if p == nil || s.catchingUp.Load() || s.queued.Load() != 0 || !s.wmu.TryLock() {
		return false
	}
	defer s.wmu.Unlock()
	dw, ok := s.t.(directWriter)
	if !ok || s.queued.Load() != 0 {
		return false
	}
	out := s.direct[:0]
	last := s.lastSent
	for _, ev := range batch {
		if !ev.synthetic && ev.pos <= last || !ev.visibleTo(p) {
			continue
		}
		if ev.held && s.hub.flights.wait(ev.requestID) != nil {
			return false // serve holds it until its reply is out
		}
		out = append(out, ev)
		if !ev.synthetic {
			last = ev.pos
		}
	}
	s.direct = out[:0]
	if len(out) == 0 {
		return true
	}
	written, pending := dw.writeNow(out)
	if !written {
		return false
	}
	s.lastSent = last
	s.hub.delivered.Add(uint64(len(out)))
	s.hub.writes.Add(1)
	if pending {
		select {
		case s.flushRest <- struct{}{}:
		default:
		}
	}
	return true
}

// serve runs the connection until the client goes, ctx ends or the hub
// stops it. It returns why it ended. Each batch the dispatcher hands over
// (together with any queued behind it) is sent with one write.
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
	s.wmu.Lock()
	s.t = t
	s.wmu.Unlock()
	defer func() {
		s.wmu.Lock()
		s.t = nil
		s.wmu.Unlock()
	}()
	for {
		var err error
		select {
		case <-ctx.Done():
			return reasonNone
		case <-s.stopped:
			why := closeReason(s.reason.Load())
			s.locked(func() { t.close(ctx, why) })
			return why
		case <-authC:
			if s.principal.Load() == nil {
				s.locked(func() { t.close(ctx, reasonAuthTimeout) })
				return reasonAuthTimeout
			}
		case <-s.bound:
			authC = nil
			s.locked(func() { err = s.catchUp(ctx, t) })
		case <-ping.C:
			s.locked(func() { err = t.ping(ctx) })
		case <-s.flushRest:
			s.locked(func() {
				if dw, ok := t.(directWriter); ok {
					err = dw.flushPending()
				}
			})
		case evs := <-s.queue:
			b, n := s.drain(evs)
			s.locked(func() { err = s.deliver(ctx, t, b) })
			s.queued.Add(-n) // written: the dispatcher may write directly again
		}
		if err != nil {
			return s.failed(ctx, t, err)
		}
	}
}

// locked runs f holding the write lock.
func (s *subscriber) locked(f func()) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	f()
}

// failed ends the connection after a failed write or read: closed
// properly when the hub stopped the subscriber meanwhile.
func (s *subscriber) failed(ctx context.Context, t transport, err error) closeReason {
	select {
	case <-s.stopped:
		why := closeReason(s.reason.Load())
		s.locked(func() { t.close(ctx, why) })
		return why
	default:
	}
	if ctx.Err() == nil {
		s.hub.log.Debug("event stream write failed", "stream", s.streamID, "err", err)
	}
	return reasonNone
}

// drain copies evs and whatever else is queued into the subscriber's
// own batch (deliver filters it in place; queued batches are shared). n
// is how many messages it took from the queue: the caller takes them off
// queued once they are written.
func (s *subscriber) drain(evs []*event) (b []*event, n int64) {
	const maxBatch = 1024
	b = append(s.batch[:0], evs...)
	for len(b) < maxBatch {
		select {
		case more := <-s.queue:
			b = append(b, more...)
		default:
			s.batch = b
			return b, int64(len(b))
		}
	}
	s.batch = b
	return b, int64(len(b))
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
