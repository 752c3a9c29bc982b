package storetest

import (
	"fmt"

	"github.com/uivmm/uivmm/eventstore"
)

func readCases() []testCase {
	return []testCase{
		{"ReadStream/FromRevision", testReadStreamFrom},
		{"ReadStream/UnknownStreamIsEmpty", testReadStreamUnknown},
		{"ReadAll/Paging", testReadAllPaging},
		{"ReadAll/AfterIsExclusive", testReadAllExclusive},
		{"ReadAll/ZeroReadsFromStart", testReadAllFromStart},
		{"Head", testHead},
	}
}

func testReadStreamFrom(f *fixture) {
	stream := f.stream("from")
	evs := f.events("e", 10)
	f.mustAppend(stream, eventstore.NoStream(), evs[:4]...)
	f.mustAppend(f.stream("noise"), eventstore.Any(), f.event("noise"))
	f.mustAppend(stream, eventstore.Exact(3), evs[4:]...)

	for _, from := range []uint64{0, 1, 4, 9, 10, 11, 1000} {
		got := f.readStream(stream, from)
		want := evs[min(int(from), len(evs)):]
		sameIDs(f.t, fmt.Sprintf("ReadStream from %d", from), ids(got), ids(want))
		for i, ev := range got {
			if ev.Stream != stream || ev.Revision != from+uint64(i) {
				f.t.Fatalf("from %d: event %d at %s@%d", from, i, ev.Stream, ev.Revision)
			}
		}
	}
}

func testReadStreamUnknown(f *fixture) {
	got, err := f.store.ReadStream(f.ctx, f.stream("never-written"), 0)
	if err != nil || len(got) != 0 {
		f.t.Fatalf("ReadStream of unknown stream = %d events, %v; want none, nil", len(got), err)
	}
}

// appendSpread appends n single events round-robin to three streams and
// returns them with their results, in append order.
func (f *fixture) appendSpread(n int) ([]eventstore.EventData, []eventstore.AppendResult) {
	evs := f.events("spread", n)
	results := make([]eventstore.AppendResult, n)
	for i, ev := range evs {
		results[i] = f.mustAppend(f.stream(string(rune('a'+i%3))), eventstore.Any(), ev)
	}
	return evs, results
}

func testReadAllPaging(f *fixture) {
	start := f.head()
	evs, _ := f.appendSpread(25)
	const limit = 7
	var got []eventstore.RecordedEvent
	after := start
	for len(got) < len(evs) {
		page, err := f.store.ReadAll(f.ctx, after, limit)
		if err != nil {
			f.t.Fatalf("ReadAll(%d, %d): %v", after, limit, err)
		}
		if len(page) == 0 || len(page) > limit {
			f.t.Fatalf("ReadAll(%d, %d) returned %d events with %d of ours still unread",
				after, limit, len(page), len(evs)-len(got))
		}
		for _, ev := range page {
			checkPosition(f.t, ev.Position, after)
			after = ev.Position
			if f.mine(ev) {
				got = append(got, ev)
			}
		}
	}
	sameIDs(f.t, "ReadAll", ids(got), ids(evs))
	if rest := f.readMine(after); len(rest) != 0 {
		f.t.Fatalf("ReadAll after the last event returned %d more of ours", len(rest))
	}
}

// testReadAllExclusive reads one event after each append's position: it is
// never the event at that position and never beyond the next append.
func testReadAllExclusive(f *fixture) {
	evs, results := f.appendSpread(6)
	for i := range len(evs) - 1 {
		page, err := f.store.ReadAll(f.ctx, results[i].Position, 1)
		if err != nil || len(page) != 1 {
			f.t.Fatalf("ReadAll(%d, 1) = %d events, %v; want 1", results[i].Position, len(page), err)
		}
		next := results[i+1].Position
		pos := page[0].Position
		if pos <= results[i].Position || pos > next {
			f.t.Fatalf("ReadAll(%d, 1) gave position %d, want in (%d, %d]", results[i].Position, pos, results[i].Position, next)
		}
		if pos == next && page[0].ID != evs[i+1].ID {
			f.t.Fatalf("event at position %d is %s, want %s", pos, page[0].ID, evs[i+1].ID)
		}
	}
}

func testReadAllFromStart(f *fixture) {
	f.mustAppend(f.stream("start"), eventstore.NoStream(), f.event("start"))
	page, err := f.store.ReadAll(f.ctx, 0, 1)
	if err != nil || len(page) != 1 {
		f.t.Fatalf("ReadAll(0, 1) = %d events, %v; want 1", len(page), err)
	}
	checkPosition(f.t, page[0].Position, 0)
}

func testHead(f *fixture) {
	before := f.head()
	if before > eventstore.MaxPosition {
		f.t.Fatalf("Head = %d, above MaxPosition", before)
	}
	res := f.mustAppend(f.stream("head"), eventstore.NoStream(), f.events("head", 3)...)
	after := f.head()
	if after < res.Position || after <= before || after > eventstore.MaxPosition {
		f.t.Fatalf("Head after append = %d, want in [%d, MaxPosition] and > %d", after, res.Position, before)
	}
	if rest := f.readMine(after); len(rest) != 0 {
		f.t.Fatalf("ReadAll after Head returned %d of ours", len(rest))
	}
}
