package stream

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
)

// Config tunes the hub. Zero fields take the defaults noted.
type Config struct {
	AuthTimeout  time.Duration // unbound streams are closed after it; default 10s
	PingInterval time.Duration // default 1s
	Buffer       int           // per-subscriber queue; default 256
	OpenTTL      time.Duration // a stream id must be (re)opened within it; default 5m
	HoldMax      time.Duration // longest hold of a message behind its request; default 3s
	ReleaseGrace time.Duration // held messages go this long after the reply; default 20ms
	WriteTimeout time.Duration // bound of every write to a client; default 10s
	MaxStreams   int           // stream ids kept at once; default 100000
	CatchUpPage  int           // events per log read when catching up; default 512
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
	def(&c.WriteTimeout, 10*time.Second)
	if c.Buffer <= 0 {
		c.Buffer = 256
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
	Kicked      uint64 // subscribers disconnected because their queue overflowed
	Held        uint64 // messages held until their request's reply
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

	last      atomic.Uint64 // position of the last event published
	delivered atomic.Uint64
	kicked    atomic.Uint64
	held      atomic.Uint64
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
	h := &Hub{cfg: cfg, store: store, cat: cat, owners: newOwners(cat, store), log: log, streams: map[string]*streamState{}}
	h.flights.grace = cfg.ReleaseGrace
	h.subs.Store(&[]*subscriber{})
	return h
}

// NewStreamID registers a new stream id, to be opened within OpenTTL
// (api.Streams, used by config.get).
func (h *Hub) NewStreamID() string {
	id := uuid.NewString()
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.streams) >= h.cfg.MaxStreams {
		h.sweepLocked(now, true)
	}
	h.streams[id] = &streamState{deadline: now.Add(h.cfg.OpenTTL)}
	return id
}

// sweepLocked forgets expired ids without a connection; force also drops
// unexpired ones until a tenth of the room is free.
func (h *Hub) sweepLocked(now time.Time, force bool) {
	for id, st := range h.streams {
		if st.sub == nil && now.After(st.deadline) {
			delete(h.streams, id)
		}
	}
	for id, st := range h.streams {
		if !force || len(h.streams) < h.cfg.MaxStreams*9/10 {
			return
		}
		if st.sub == nil {
			delete(h.streams, id)
		}
	}
}

// Run sweeps expired stream ids until ctx ends, then ends every stream
// (Shutdown). Run it with the app's workers.
func (h *Hub) Run(ctx context.Context) error {
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
	return Stats{Streams: n, Subscribers: len(*h.subs.Load()), Delivered: h.delivered.Load(),
		Kicked: h.kicked.Load(), Held: h.held.Load()}
}

// Publish hands one stored event to every subscriber allowed to see it.
// It is the projections.Runner listener: called once per event, in
// position order; it never blocks (a full queue disconnects its
// subscriber instead).
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
	for _, s := range subs {
		s.offer(ev)
	}
}

// newEvent renders rec once for every subscriber.
func (h *Hub) newEvent(ctx context.Context, rec eventstore.RecordedEvent) *event {
	msg, data := h.cat.render(rec)
	line, err := marshal(msg)
	if err != nil {
		line = []byte(`{"type":"","request_id":"","body":"{\"data\":{\"type\":\"event\",\"attributes\":{}}}"}`)
	}
	ev := &event{pos: rec.Position, requestID: rec.Metadata.RequestID, line: line}
	if rec.Metadata.ActorKind == eventstore.ActorUser {
		ev.actorUser = rec.Metadata.ActorID
	}
	ev.owner, ev.ownerOK = h.owners.resolve(ctx, rec, data)
	if ev.requestID != "" && h.flights.wait(ev.requestID) != nil {
		ev.held = true
	}
	return ev
}

// authEvent is the message event.auth sends on the stream it binds.
func authEvent(requestID string) *event {
	line, _ := marshal(Message{Type: "event.auth", RequestID: requestID,
		Body: `{"data":{"type":"event","attributes":{"response":true}}}`})
	return &event{requestID: requestID, line: line, synthetic: true, held: requestID != ""}
}

// errStreamNotFound answers unknown (or expired) stream ids.
var errStreamNotFound = domain.NotFound("stream not found")

// attach opens a connection on stream id, replacing an older connection
// on the same id (an EventSource reconnecting before the server noticed
// the old one drop). after is the resume checkpoint; nil means "from
// now". p binds at once when not nil.
func (h *Hub) attach(id string, after *uint64, p *Principal) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.streams[id]
	if st == nil || h.closed {
		return nil, errStreamNotFound
	}
	if st.sub != nil {
		st.sub.stop(reasonReplaced)
		h.removeLocked(st.sub)
	}
	s := newSubscriber(h, id, h.cfg.Buffer)
	s.after = h.last.Load()
	if after != nil {
		s.after = *after
	}
	if p != nil {
		st.principal = p
	}
	if st.principal != nil {
		s.principal.Store(st.principal)
		s.notifyBound()
	}
	if st.pending != nil {
		s.offer(st.pending)
		st.pending = nil
	}
	st.sub = s
	h.cfg.OnSubscribers(1)
	subs := append(append([]*subscriber(nil), *h.subs.Load()...), s)
	h.subs.Store(&subs)
	return s, nil
}

// detach ends s's registration; the binding ends with it, and the id may
// be reopened within OpenTTL.
func (h *Hub) detach(s *subscriber) {
	h.cfg.OnSubscribers(-1)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
	if st := h.streams[s.streamID]; st != nil && st.sub == s {
		st.sub, st.principal = nil, nil
		st.deadline = time.Now().Add(h.cfg.OpenTTL)
	}
}

func (h *Hub) removeLocked(s *subscriber) {
	old := *h.subs.Load()
	subs := make([]*subscriber, 0, len(old))
	for _, x := range old {
		if x != s {
			subs = append(subs, x)
		}
	}
	h.subs.Store(&subs)
}

// Bind binds stream id to p (event.auth) and sends an event.auth message
// with requestID on it. The last binding wins.
func (h *Hub) Bind(id string, p *Principal, requestID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.streams[id]
	if st == nil {
		return errStreamNotFound
	}
	st.principal = p
	ev := authEvent(requestID)
	if st.sub == nil {
		st.pending = ev
		return nil
	}
	st.sub.principal.Store(p)
	st.sub.notifyBound()
	st.sub.offer(ev)
	return nil
}
