package esdb

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

// fakeDB emulates, in memory, the parts of an EventStoreDB 24.x node the
// adapter relies on: optimistic concurrency with the server's idempotency
// rules (which let a stored ID be written again elsewhere), positions
// that are byte offsets with system events between user events, stream
// and $all reads, and catch-up subscriptions with a server-side filter
// that can be made to drop. It is a test double, not a specification.
type fakeDB struct {
	mu      sync.Mutex
	log     []client.RecordedEvent
	streams map[string][]int // stream -> indices into log, by revision
	ids     map[uuid.UUID]int
	next    uint64
	appends int
	changed chan struct{} // closed and replaced on every write

	dropEvery int // a subscription drops after delivering this many (0: never)
	failSubs  int // the next failSubs SubscribeToAll calls fail
}

func newFakeDB() *fakeDB {
	return &fakeDB{streams: map[string][]int{}, ids: map[uuid.UUID]int{}, next: 1 << 12, changed: make(chan struct{})}
}

// conn returns a connection to f; closing it leaves f running.
func (f *fakeDB) conn() conn { return &fakeConn{db: f} }

func (f *fakeDB) write(stream string, ev client.EventData) client.RecordedEvent {
	rec := client.RecordedEvent{
		EventID: ev.EventID, EventType: ev.EventType, ContentType: "application/json",
		StreamID: stream, EventNumber: uint64(len(f.streams[stream])),
		Position:    client.Position{Commit: f.next, Prepare: f.next},
		CreatedDate: time.Now().UTC().Truncate(100 * time.Nanosecond),
		Data:        ev.Data, UserMetadata: ev.Metadata,
	}
	f.next += 100 + uint64(len(ev.Data)+len(ev.Metadata))
	f.streams[stream] = append(f.streams[stream], len(f.log))
	f.ids[ev.EventID] = len(f.log)
	f.log = append(f.log, rec)
	return rec
}

// fakeWrongVersion renders the client's error for a failed guard.
func fakeWrongVersion(expected string, cur int64) error {
	got := "no_stream"
	if cur >= 0 {
		got = strconv.FormatInt(cur, 10)
	}
	return &fakeErr{code: client.ErrorCodeWrongExpectedVersion, msg: fmt.Sprintf(
		"[ErrorCodeWrongExpectedVersion] an append request failed the optimistic concurrency on the server: "+
			"wrong expected version: expecting '%s' but got '%s'", expected, got)}
}

func (f *fakeDB) append(stream string, expected client.ExpectedRevision, evs []client.EventData) (*client.WriteResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	revs := f.streams[stream]
	cur := int64(len(revs)) - 1
	var exp int64
	var expName string
	switch e := expected.(type) {
	case client.Any:
		exp, expName = -2, "any"
	case client.StreamExists:
		exp, expName = -4, "stream_exists"
		if cur < 0 {
			return nil, fakeWrongVersion(expName, cur)
		}
	case client.NoStream:
		exp, expName = -1, "no_stream"
	case client.StreamRevision:
		exp, expName = int64(e.Value), strconv.FormatUint(e.Value, 10)
	}
	if exp < -1 { // Any and StreamExists: best-effort idempotency by the first ID
		if i, ok := f.ids[evs[0].EventID]; ok && f.log[i].StreamID == stream {
			return f.idempotent(stream, int64(f.log[i].EventNumber)-1, evs, expName, cur)
		}
	} else if exp < cur {
		return f.idempotent(stream, exp, evs, expName, cur)
	} else if exp > cur {
		return nil, fakeWrongVersion(expName, cur)
	}
	var last client.RecordedEvent
	for _, ev := range evs {
		last = f.write(stream, ev)
	}
	if f.appends++; f.appends%3 == 0 {
		f.write("$stats-fake", client.EventData{EventID: uuid.New(), EventType: "$statsCollected", Data: []byte(`{}`)})
	}
	close(f.changed)
	f.changed = make(chan struct{})
	return &client.WriteResult{CommitPosition: last.Position.Commit, PreparePosition: last.Position.Prepare,
		NextExpectedVersion: last.EventNumber}, nil
}

// idempotent answers a batch aimed behind the stream's end: a retry when
// its IDs are the stream's events from exp+1 on, a conflict otherwise.
func (f *fakeDB) idempotent(stream string, exp int64, evs []client.EventData, expName string, cur int64) (*client.WriteResult, error) {
	revs := f.streams[stream]
	for i, ev := range evs {
		rev := exp + 1 + int64(i)
		if rev > cur || f.log[revs[rev]].EventID != ev.EventID {
			return nil, fakeWrongVersion(expName, cur)
		}
	}
	last := f.log[revs[exp+int64(len(evs))]]
	return &client.WriteResult{CommitPosition: last.Position.Commit, PreparePosition: last.Position.Prepare,
		NextExpectedVersion: last.EventNumber}, nil
}

// readStream snapshots the events a stream read returns.
func (f *fakeDB) readStream(stream string, opts client.ReadStreamOptions, count uint64) ([]client.RecordedEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	revs, ok := f.streams[stream]
	if !ok {
		return nil, &fakeErr{code: client.ErrorCodeResourceNotFound, msg: "stream not found"}
	}
	var out []client.RecordedEvent
	if opts.Direction == client.Backwards {
		for i := len(revs) - 1; i >= 0 && uint64(len(out)) < count; i-- {
			out = append(out, f.log[revs[i]])
		}
		return out, nil
	}
	from := uint64(0)
	if r, ok := opts.From.(client.StreamRevision); ok {
		from = r.Value
	}
	for rev := from; rev < uint64(len(revs)) && uint64(len(out)) < count; rev++ {
		out = append(out, f.log[revs[rev]])
	}
	return out, nil
}

// readAll snapshots the events a read of $all returns.
func (f *fakeDB) readAll(opts client.ReadAllOptions, count uint64) []client.RecordedEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []client.RecordedEvent
	if opts.Direction == client.Backwards {
		for i := len(f.log) - 1; i >= 0 && uint64(len(out)) < count; i-- {
			out = append(out, f.log[i])
		}
		return out
	}
	from := uint64(0)
	if p, ok := opts.From.(client.Position); ok {
		from = p.Commit
	}
	for _, rec := range f.log {
		if rec.Position.Commit >= from && uint64(len(out)) < count {
			out = append(out, rec)
		}
	}
	return out
}

// fakeConn is one client's connection to a fakeDB.
type fakeConn struct {
	db     *fakeDB
	mu     sync.Mutex
	closed bool
}

func (c *fakeConn) check() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return &fakeErr{code: client.ErrorCodeConnectionClosed, msg: "connection is closed"}
	}
	return nil
}

func (c *fakeConn) AppendToStream(ctx context.Context, stream string, opts client.AppendToStreamOptions, events ...client.EventData) (*client.WriteResult, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if opts.ExpectedRevision == nil {
		opts.ExpectedRevision = client.Any{}
	}
	return c.db.append(stream, opts.ExpectedRevision, events)
}

func (c *fakeConn) ReadStream(ctx context.Context, stream string, opts client.ReadStreamOptions, count uint64) (eventReader, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	evs, err := c.db.readStream(stream, opts, count)
	return &fakeReader{evs: evs, err: err}, nil
}

func (c *fakeConn) ReadAll(ctx context.Context, opts client.ReadAllOptions, count uint64) (eventReader, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	return &fakeReader{evs: c.db.readAll(opts, count)}, nil
}

func (c *fakeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

// fakeReader replays a snapshot; err, if set, is what the first Recv
// returns (the client reports a missing stream there).
type fakeReader struct {
	evs []client.RecordedEvent
	err error
}

func (r *fakeReader) Recv() (*client.ResolvedEvent, error) {
	if r.err != nil {
		return nil, r.err
	}
	if len(r.evs) == 0 {
		return nil, io.EOF
	}
	ev := r.evs[0]
	r.evs = r.evs[1:]
	return &client.ResolvedEvent{Event: &ev, Commit: &ev.Position.Commit}, nil
}

func (r *fakeReader) Close() {}
