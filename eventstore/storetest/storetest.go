package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

// Run runs the contract suite as named subtests of t: Append guards,
// results and atomicity; idempotent retries and reused IDs; ReadStream,
// ReadAll paging and Head; metadata, data and time round trips; racing
// writers on one stream; Subscribe catch-up, live hand-over under load,
// checkpoints, cancellation and handler errors; and Close.
//
// newStore is called once per subtest and must return a ready store whose
// cleanup it registers with t.Cleanup; that cleanup must tolerate a store
// the suite has already closed. Subtests run one after another and finish in well under 20 s on a
// local SQLite file.
func Run(t *testing.T, newStore func(t *testing.T) eventstore.Store) {
	t.Helper()
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(newFixture(t, newStore(t)))
		})
	}
}

type testCase struct {
	name string
	fn   func(f *fixture)
}

func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{
		appendCases(), idempotencyCases(), readCases(), roundTripCases(),
		concurrencyCases(), subscribeCases(), closeCases(),
	} {
		all = append(all, group...)
	}
	return all
}

// suiteTimeout bounds every subtest so a hanging store fails instead of
// blocking the test binary.
const suiteTimeout = 60 * time.Second

// fixture is one subtest's store plus helpers. Its stream names start with a
// prefix unique to the subtest and run.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	store  eventstore.Store
	prefix string
	seq    atomic.Int64
}

func newFixture(t *testing.T, store eventstore.Store) *fixture {
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	t.Cleanup(cancel)
	id := strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	return &fixture{t: t, ctx: ctx, store: store, prefix: "storetest-" + id}
}

// sub returns a fixture for the nested subtest t on the same store. Its
// streams are also f's streams.
func (f *fixture) sub(t *testing.T) *fixture {
	g := newFixture(t, f.store)
	g.prefix = fmt.Sprintf("%s-%d", f.prefix, f.seq.Add(1))
	return g
}

// stream names a stream that belongs to this subtest.
func (f *fixture) stream(name string) string { return f.prefix + "-" + name }

// mine reports whether ev was written to one of this subtest's streams.
func (f *fixture) mine(ev eventstore.RecordedEvent) bool {
	return strings.HasPrefix(ev.Stream, f.prefix+"-")
}

// event returns a new event with a fresh ID and a small JSON payload. It
// is safe for concurrent use.
func (f *fixture) event(typ string) eventstore.EventData {
	return newEvent(typ, int(f.seq.Add(1)))
}

func newEvent(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:       uuid.NewString(),
		Type:     typ,
		Data:     json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
		Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem},
	}
}

// events returns n new events of type typ.
func (f *fixture) events(typ string, n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = f.event(typ)
	}
	return out
}

func (f *fixture) mustAppend(stream string, exp eventstore.ExpectedRevision, evs ...eventstore.EventData) eventstore.AppendResult {
	f.t.Helper()
	res, err := f.store.Append(f.ctx, stream, exp, evs...)
	if err != nil {
		f.t.Fatalf("Append(%s, %s, %d events): %v", stream, exp, len(evs), err)
	}
	return res
}

func (f *fixture) readStream(stream string, from uint64) []eventstore.RecordedEvent {
	f.t.Helper()
	evs, err := f.store.ReadStream(f.ctx, stream, from)
	if err != nil {
		f.t.Fatalf("ReadStream(%s, %d): %v", stream, from, err)
	}
	return evs
}

func (f *fixture) head() uint64 {
	f.t.Helper()
	h, err := f.store.Head(f.ctx)
	if err != nil {
		f.t.Fatalf("Head: %v", err)
	}
	return h
}

// readMine pages through ReadAll from after to the end of the log and
// returns this subtest's events, checking the order of every event read.
func (f *fixture) readMine(after uint64) []eventstore.RecordedEvent {
	f.t.Helper()
	var out []eventstore.RecordedEvent
	for {
		page, err := f.store.ReadAll(f.ctx, after, 100)
		if err != nil {
			f.t.Fatalf("ReadAll(%d, 100): %v", after, err)
		}
		for _, ev := range page {
			checkPosition(f.t, ev.Position, after)
			after = ev.Position
			if f.mine(ev) {
				out = append(out, ev)
			}
		}
		if len(page) == 0 {
			return out
		}
	}
}

// checkPosition fails t unless pos is a valid position strictly after prev.
func checkPosition(t *testing.T, pos, prev uint64) {
	t.Helper()
	if pos == 0 || pos > eventstore.MaxPosition {
		t.Fatalf("position %d out of range (0, %d]", pos, uint64(eventstore.MaxPosition))
	}
	if pos <= prev {
		t.Fatalf("position %d not after %d", pos, prev)
	}
}

// ids returns the IDs of evs in order.
func ids[E eventstore.EventData | eventstore.RecordedEvent](evs []E) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		switch e := any(ev).(type) {
		case eventstore.EventData:
			out[i] = e.ID
		case eventstore.RecordedEvent:
			out[i] = e.ID
		}
	}
	return out
}

// sameIDs fails t unless got and want list the same IDs in the same order.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s: got IDs %v, want %v", what, got, want)
	}
}
