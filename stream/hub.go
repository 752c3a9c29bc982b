package stream

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

// Config tunes the hub. Zero fields take the defaults noted.
type Config struct {
	AuthTimeout  time.Duration // unbound streams are closed after it; default 10s
	PingInterval time.Duration // default 1s
	Buffer       int           // messages queued per subscriber; default 1024
	OpenTTL      time.Duration // a stream id must be (re)opened within it; default 5m
	HoldMax      time.Duration // longest hold of a message behind its request; default 3s
	ReleaseGrace time.Duration // held messages go this long after the reply; default 20ms
	WriteTimeout time.Duration // bound of every write to a client; default 10s
	// FlushInterval is the tick busy streams are written on: under load,
	// messages go out in batches. Default 30ms; negative: none.
	FlushInterval time.Duration
	MaxStreams    int // stream ids kept at once; default 100000
	CatchUpPage   int // events per log read when catching up; default 512
	// Metrics hooks; nil means none. They must not block.
	OnSubscribers func(delta int) // +1 when a connection opens, -1 when it ends
	OnDrop        func()          // one message dropped for a slow subscriber
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.AuthTimeout, 10*time.Second)
	def(&c.PingInterval, time.Second)
	def(&c.OpenTTL, 5*time.Minute)
	def(&c.HoldMax, 3*time.Second)
	def(&c.ReleaseGrace, 20*time.Millisecond)
	switch {
	case c.FlushInterval == 0:
		c.FlushInterval = 30 * time.Millisecond
	case c.FlushInterval < 0:
		c.FlushInterval = 0
	}
	def(&c.WriteTimeout, 10*time.Second)
	if c.Buffer <= 0 {
		c.Buffer = 1024
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 100_000
	}
	if c.CatchUpPage <= 0 {
		c.CatchUpPage = 512
	}
	if c.OnSubscribers == nil {
		c.OnSubscribers = func(int) {}
	}
	if c.OnDrop == nil {
		c.OnDrop = func() {}
	}
}

// Principal is the user a stream is bound to.
type Principal struct {
	ID    int64
	Login string
	Group int
}

// Privileged reports whether the user sees every event (group below 3).
func (p *Principal) Privileged() bool { return p.Group < 3 }

// Stats are the hub's counters.
type Stats struct {
	Streams     int    // stream ids known (open or waiting to be opened)
	Subscribers int    // open connections
	Delivered   uint64 // messages written to clients
	Writes      uint64 // writes those messages took (batches)
	Kicked      uint64 // subscribers disconnected because their queue overflowed
	Held        uint64 // messages held until their request's reply
	Overruns    uint64 // live messages left to the log because a catch-up was running
}

// Hub fans events out to stream subscribers. Build it with New; it is
// safe for concurrent use.
type Hub struct {
	cfg     Config
	store   eventstore.Store
	cat     *Catalog
	owners  *owners
	log     *slog.Logger
	flights flights

	mu      sync.Mutex
	streams map[string]*streamState
	subs    atomic.Pointer[[]*subscriber] // copy-on-write under mu
	closed  bool
	nextGrp int // the flush group of the next subscriber (under mu)

	// Published events wait in pending for the dispatcher (see dispatch).
	pendMu  sync.Mutex
	pending []*event
	pendSig chan struct{} // signalled when pending becomes non-empty

	last      atomic.Uint64 // position of the last event published
	delivered atomic.Uint64
	writes    atomic.Uint64
	kicked    atomic.Uint64
	held      atomic.Uint64
	overruns  atomic.Uint64
}

// streamState is one stream id. Guarded by Hub.mu.
type streamState struct {
	deadline  time.Time   // forgotten after it while no connection is open
	principal *Principal  // binding, while a connection lasts (or before the first)
	sub       *subscriber // the open connection, if any
	pending   *event      // event.auth message for a connection not open yet
}

// New builds a hub. store serves catch-up reads and owner look-ups; cat
// renders events. It panics on nil dependencies (a wiring bug).
func New(store eventstore.Store, cat *Catalog, log *slog.Logger, cfg Config) *Hub {
	if store == nil || cat == nil || log == nil {
		panic("stream: New needs a store, a catalog and a logger")
	}
	cfg.setDefaults()
	h := &Hub{cfg: cfg, store: store, cat: cat, owners: newOwners(cat, store), log: log, streams: map[string]*streamState{},
		pendSig: make(chan struct{}, 1)}
	h.flights.grace = cfg.ReleaseGrace
	h.subs.Store(&[]*subscriber{})
	return h
}

// Run dispatches published events to the subscribers and sweeps expired
// stream ids until ctx ends, then ends every stream (Shutdown). Run it
// with the app's workers: without it nothing is delivered live.
func (h *Hub) Run(ctx context.Context) error {
	go h.dispatch(ctx)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			h.Shutdown()
			return ctx.Err()
		case now := <-t.C:
			h.mu.Lock()
			h.sweepLocked(now, false)
			h.mu.Unlock()
		}
	}
}

// Shutdown ends every open stream (SSE: a "close" event with reason
// "shutdown"; WebSocket: 1001 going away) and refuses new ones. Run it
// when a graceful shutdown begins (App.OnShutdown): http.Server.Shutdown
// would otherwise wait for the streams.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, s := range *h.subs.Load() {
		s.stop(reasonShutdown)
	}
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	n := len(h.streams)
	h.mu.Unlock()
	return Stats{Streams: n, Subscribers: len(*h.subs.Load()), Delivered: h.delivered.Load(), Writes: h.writes.Load(),
		Kicked: h.kicked.Load(), Held: h.held.Load(), Overruns: h.overruns.Load()}
}

// Publish renders one stored event for the subscribers allowed to see
// it. It is the projections.Runner listener: called once per event, in
// position order; it never blocks: the event waits in pending for the
// dispatcher.
func (h *Hub) Publish(ctx context.Context, rec eventstore.RecordedEvent) {
	defer h.last.Store(rec.Position)
	subs := *h.subs.Load()
	if len(subs) == 0 || h.cat.Hidden(rec) {
		if len(subs) == 0 && !h.cat.Hidden(rec) {
			h.owners.learn(rec, Sanitize(rec.Data))
		}
		return
	}
	ev := h.newEvent(ctx, rec)
	h.pendMu.Lock()
	h.pending = append(h.pending, ev)
	first := len(h.pending) == 1
	h.pendMu.Unlock()
	if first {
		select {
		case h.pendSig <- struct{}{}:
		default:
		}
	}
}

// flushGroups is how many groups the subscribers are spread over: each
// group is written on its own phase of the FlushInterval grid.
const flushGroups = 10

// flushGroup is what the dispatcher keeps for one group of subscribers.
type flushGroup struct {
	batches [][]*event // handed over by Publish since the group's last flush
	n       int        // events in batches
	last    time.Time  // the group's last flush
}

// dispatch hands the pending events to the subscribers, as one batch per
// subscriber per FlushInterval. The subscribers are spread over
// flushGroups groups, and group g is written on its own phase of the
// grid (g/flushGroups of an interval after the others' start): at once
// when its last batch went out at least half an interval ago (a quiet
// hub), otherwise on its next tick. Under load every busy subscriber so
// wakes and writes once per interval, and the writes are spread evenly
// over the interval instead of coming in one burst: no subscriber waits
// behind a thousand others' writes, and the CPU load is flat. The
// dispatcher writes each batch itself when it can without blocking
// (subscriber.tryDirect), so a busy subscriber's goroutine stays asleep. Publish
// costs one append whatever the number of subscribers; handing over each
// event to each subscriber's queue was most of the hub's own time with a
// thousand subscribers.
func (h *Hub) dispatch(ctx context.Context) {
	fi := h.cfg.FlushInterval
	groups := make([]flushGroup, flushGroups)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-h.pendSig:
		case <-timer.C:
		}
		h.pendMu.Lock()
		batch := h.pending
		h.pending = nil
		h.pendMu.Unlock()
		if len(batch) > 0 {
			for g := range groups {
				groups[g].batches = append(groups[g].batches, batch)
				groups[g].n += len(batch)
			}
		}
		now := time.Now()
		var next time.Time
		var subs []*subscriber
		for g := range groups {
			gr := &groups[g]
			if gr.n == 0 {
				continue
			}
			if fi > 0 {
				if due := groupTick(gr.last, fi, g); now.Before(due) {
					if next.IsZero() || due.Before(next) {
						next = due
					}
					continue
				}
			}
			if subs == nil {
				subs = *h.subs.Load()
			}
			evs := gr.batches[0]
			if len(gr.batches) > 1 {
				evs = make([]*event, 0, gr.n)
				for _, b := range gr.batches {
					evs = append(evs, b...)
				}
			}
			clear(gr.batches)
			gr.batches, gr.n, gr.last = gr.batches[:0], 0, now
			for _, s := range subs {
				if s.group == g && !s.tryDirect(evs) {
					s.offer(evs) // subscribers keep it, read-only
				}
			}
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// groupTick is the first tick of group g's phase of the FlushInterval
// grid at least half an interval after t: a flush late in one tick waits
// for the tick after the next.
func groupTick(t time.Time, fi time.Duration, g int) time.Time {
	phase := fi * time.Duration(g) / flushGroups
	return t.Add(fi/2 - phase).Truncate(fi).Add(fi + phase)
}

// newEvent renders rec once for every subscriber.
func (h *Hub) newEvent(ctx context.Context, rec eventstore.RecordedEvent) *event {
	msg, data := h.cat.render(rec)
	line, err := marshal(msg)
	if err != nil {
		line = []byte(`{"type":"","request_id":"","body":"{\"data\":{\"type\":\"event\",\"attributes\":{}}}"}`)
	}
	ev := framed(&event{pos: rec.Position, requestID: rec.Metadata.RequestID, line: line})
	if rec.Metadata.ActorKind == eventstore.ActorUser {
		ev.actorUser = rec.Metadata.ActorID
	}
	ev.owner, ev.ownerOK = h.owners.resolve(ctx, rec, data)
	if ev.requestID != "" && h.flights.wait(ev.requestID) != nil {
		ev.held = true
	}
	return ev
}
