package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	// Every event crosses the bus as JSON; the standard decoder cost
	// several times more per event.
	"github.com/segmentio/encoding/json"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/readmodels"
)

// EventsTopic is the Watermill topic every stored event is published on,
// for the listeners; each projector has its own (projectorTopic).
const EventsTopic = "events"

// projectorTopic is one projector's topic: the runner publishes there
// only the event types the projector handles, and moves its position past
// the others itself, so an event costs a handler only where it is used.
func projectorTopic(name string) string { return EventsTopic + "." + name }

// Listener receives every event the runner forwards, once every
// projection has applied it (its rows are committed); it must not block
// (the stream hub only enqueues). Listeners keep no checkpoint.
type Listener func(ctx context.Context, rec eventstore.RecordedEvent)

// Runner owns the one store subscription and the event bus.
type Runner struct {
	store      eventstore.Store
	reg        *domain.Registry
	db         *readmodels.DB
	log        *slog.Logger
	projectors []Projector
	listeners  []namedListener
	waiter     *Waiter
	forwarded  atomic.Uint64
	failed     atomic.Value // string: the projection that failed, if any
	mu         sync.Mutex
	dirty      map[string]uint64 // checkpoints advanced past unhandled events
}

type namedListener struct {
	name string
	fn   Listener
}

// NewRunner builds a runner. It panics on nil dependencies.
func NewRunner(store eventstore.Store, reg *domain.Registry, db *readmodels.DB, log *slog.Logger, ps ...Projector) *Runner {
	if store == nil || reg == nil || db == nil || log == nil {
		panic("projections: NewRunner needs a store, a registry, a database and a logger")
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Model().Name
	}
	return &Runner{store: store, reg: reg, db: db, log: log, projectors: ps, waiter: newWaiter(names), dirty: map[string]uint64{}}
}

// AddListener registers fn under a lasting name. Call before Run.
func (r *Runner) AddListener(name string, fn Listener) {
	r.listeners = append(r.listeners, namedListener{name, fn})
}

// Waiter returns the read-your-writes waiter.
func (r *Runner) Waiter() *Waiter { return r.waiter }

// Forwarded returns the position of the last event put on the bus.
func (r *Runner) Forwarded() uint64 { return r.forwarded.Load() }

// Failed names a projection that hit an error it cannot pass, or "".
func (r *Runner) Failed() string {
	s, _ := r.failed.Load().(string)
	return s
}

// Models lists the read models of the runner's projectors.
func (r *Runner) Models() []readmodels.Model {
	out := make([]readmodels.Model, len(r.projectors))
	for i, p := range r.projectors {
		out[i] = p.Model()
	}
	return out
}

// Prepare creates missing tables and loads the checkpoints. Run calls it.
func (r *Runner) Prepare(ctx context.Context) (uint64, error) {
	if err := r.db.Ensure(ctx, r.Models()...); err != nil {
		return 0, err
	}
	var from uint64
	for i, p := range r.projectors {
		cp, err := readmodels.Checkpoint(ctx, r.db.W, p.Model().Name)
		if err != nil {
			return 0, fmt.Errorf("checkpoint of %s: %w", p.Model().Name, err)
		}
		r.waiter.advance(p.Model().Name, cp)
		if i == 0 || cp < from {
			from = cp
		}
	}
	return from, nil
}

// Run subscribes to the store from the lowest checkpoint and feeds the
// bus until ctx ends. It returns ctx's error or the first failure.
func (r *Runner) Run(ctx context.Context) error {
	from, err := r.Prepare(ctx)
	if err != nil {
		return err
	}
	wlog := commands.BusLogger(r.log)
	bus := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, wlog)
	defer bus.Close()
	router, err := message.NewRouter(message.RouterConfig{}, wlog)
	if err != nil {
		return err
	}
	for _, p := range r.projectors {
		router.AddConsumerHandler(p.Model().Name, projectorTopic(p.Model().Name), bus, r.projectorHandler(ctx, p))
	}
	for _, l := range r.listeners {
		router.AddConsumerHandler(l.name, EventsTopic, bus, r.listenerHandler(ctx, l.fn))
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	routerErr := make(chan error, 1)
	go func() { routerErr <- router.Run(rctx) }()
	select {
	case <-router.Running():
	case err := <-routerErr:
		return fmt.Errorf("event router: %w", err)
	}
	r.forwarded.Store(from)
	err = r.store.Subscribe(ctx, from, func(ctx context.Context, rec eventstore.RecordedEvent) error {
		return r.publish(bus, rec)
	})
	r.flushDirty(context.WithoutCancel(ctx))
	_ = router.Close()
	return err
}

// publish hands rec to each projector that handles its type, one after
// the other (each Publish returns once the projector has applied it),
// moves the others past it, then hands it to the listeners.
func (r *Runner) publish(bus message.Publisher, rec eventstore.RecordedEvent) error {
	payload, err := json.Marshal(wireEvent(rec))
	if err != nil {
		return err
	}
	position := strconv.FormatUint(rec.Position, 10)
	send := func(topic string) error {
		msg := message.NewMessage(rec.ID, payload)
		msg.Metadata.Set("position", position)
		msg.Metadata.Set("type", rec.Type)
		if err := bus.Publish(topic, msg); err != nil {
			return fmt.Errorf("publishing %d: %w", rec.Position, err)
		}
		return nil
	}
	for _, p := range r.projectors {
		name := p.Model().Name
		if !p.Handles(rec.Type) {
			// Every event before rec that it handles was applied when
			// its Publish returned.
			if rec.Position > r.waiter.Position(name) {
				r.markDirty(name, rec.Position)
				r.waiter.advance(name, rec.Position)
			}
			continue
		}
		if err := send(projectorTopic(name)); err != nil {
			return err
		}
	}
	if len(r.listeners) > 0 {
		if err := send(EventsTopic); err != nil {
			return err
		}
	}
	r.forwarded.Store(rec.Position)
	return nil
}

// listenerHandler hands each event to fn once every projection has
// processed it: the bus delivers an event to all its handlers at once,
// and a stream client that reads the read models when an event arrives
// must find the event applied.
func (r *Runner) listenerHandler(ctx context.Context, fn Listener) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		rec, err := unwire(msg.Payload)
		if err != nil {
			return nil
		}
		if r.waiter.WaitFor(ctx, rec.Position) != nil {
			return nil // stopping
		}
		fn(ctx, rec)
		return nil
	}
}

// projectorHandler applies each event once: events at or below the
// checkpoint are skipped; rows and checkpoint commit together. It gets
// only the event types its projector handles (publish).
func (r *Runner) projectorHandler(ctx context.Context, p Projector) message.NoPublishHandlerFunc {
	name := p.Model().Name
	return func(msg *message.Message) error {
		// The position the runner puts in the metadata spares an event
		// already applied (a restart from a lower checkpoint) its decoding.
		if pos, _ := strconv.ParseUint(msg.Metadata.Get("position"), 10, 64); pos != 0 && pos <= r.waiter.Position(name) {
			return nil
		}
		rec, err := unwire(msg.Payload)
		if err != nil {
			r.log.Error("undecodable bus message", "projection", name, "err", err)
			return nil
		}
		if rec.Position <= r.waiter.Position(name) {
			return nil
		}
		if err := r.applyOne(ctx, p, rec); err != nil {
			r.failed.Store(name)
			r.log.Error("projection failed; skipping event", "projection", name, "position", rec.Position, "type", rec.Type, "err", err)
		}
		r.waiter.advance(name, rec.Position)
		return nil
	}
}

func (r *Runner) applyOne(ctx context.Context, p Projector, rec eventstore.RecordedEvent) error {
	ev, err := r.reg.Decode(rec.Type, rec.Data)
	if err != nil {
		return err
	}
	tx, err := r.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := p.Apply(ctx, readmodels.SQLTx(tx), rec, ev); err != nil {
		return err
	}
	if err := readmodels.SetCheckpoint(ctx, readmodels.SQLTx(tx), p.Model().Name, rec.Position); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.dirty, p.Model().Name)
	r.mu.Unlock()
	return tx.Commit()
}

func (r *Runner) markDirty(name string, pos uint64) {
	r.mu.Lock()
	r.dirty[name] = pos
	r.mu.Unlock()
}

// flushDirty stores checkpoints that only advanced past events the
// projection ignores; no rows depend on them, so a later write is safe.
func (r *Runner) flushDirty(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, pos := range r.dirty {
		tx, err := r.db.W.BeginTx(ctx, nil)
		if err != nil {
			return
		}
		if err := readmodels.SetCheckpoint(ctx, readmodels.SQLTx(tx), name, pos); err != nil {
			tx.Rollback()
			continue
		}
		if err := tx.Commit(); err == nil {
			delete(r.dirty, name)
		}
	}
}

// wire is the bus encoding of a recorded event.
type wire struct {
	Position uint64              `json:"position"`
	Stream   string              `json:"stream"`
	Revision uint64              `json:"revision"`
	ID       string              `json:"id"`
	Type     string              `json:"type"`
	Data     json.RawMessage     `json:"data"`
	Metadata eventstore.Metadata `json:"metadata"`
	TimeNano int64               `json:"time"`
}

func wireEvent(rec eventstore.RecordedEvent) wire {
	return wire{rec.Position, rec.Stream, rec.Revision, rec.ID, rec.Type, rec.Data, rec.Metadata, rec.Time.UnixNano()}
}

func unwire(b []byte) (eventstore.RecordedEvent, error) {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return eventstore.RecordedEvent{}, err
	}
	if w.Position == 0 {
		return eventstore.RecordedEvent{}, errors.New("bus message without position")
	}
	return eventstore.RecordedEvent{Position: w.Position, Stream: w.Stream, Revision: w.Revision, ID: w.ID,
		Type: w.Type, Data: w.Data, Metadata: w.Metadata, Time: timeFromNano(w.TimeNano)}, nil
}
