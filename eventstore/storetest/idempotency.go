package storetest

import (
	"sync"

	"github.com/uivmm/uivmm/eventstore"
)

func idempotencyCases() []testCase {
	return []testCase{
		{"Idempotency/RetrySameRevision", testRetrySame},
		{"Idempotency/RetryAfterLaterAppends", testRetryAfterLater},
		{"Idempotency/RetryWithAny", testRetryAny},
		{"Idempotency/ConcurrentRetries", testRetryConcurrent},
		{"Idempotency/IDAtDifferentPlaceIsError", testIDElsewhere},
	}
}

// retry appends evs again and fails unless it returns want and the stream
// still holds n events.
func (f *fixture) retry(stream string, exp eventstore.ExpectedRevision, want eventstore.AppendResult, n int, evs ...eventstore.EventData) {
	f.t.Helper()
	got, err := f.store.Append(f.ctx, stream, exp, evs...)
	if err != nil {
		f.t.Fatalf("retry of %d events with %s: %v", len(evs), exp, err)
	}
	if got != want {
		f.t.Fatalf("retry with %s returned %+v, want the original %+v", exp, got, want)
	}
	if stored := len(f.readStream(stream, 0)); stored != n {
		f.t.Fatalf("stream holds %d events after retry, want %d", stored, n)
	}
}

func testRetrySame(f *fixture) {
	stream := f.stream("same")
	first := f.events("first", 2)
	res := f.mustAppend(stream, eventstore.NoStream(), first...)
	f.retry(stream, eventstore.NoStream(), res, 2, first...)

	next := f.events("next", 3)
	res = f.mustAppend(stream, eventstore.Exact(1), next...)
	f.retry(stream, eventstore.Exact(1), res, 5, next...)
}

func testRetryAfterLater(f *fixture) {
	stream := f.stream("later")
	a := f.events("a", 1)
	resA := f.mustAppend(stream, eventstore.NoStream(), a...)
	bc := f.events("bc", 2)
	resBC := f.mustAppend(stream, eventstore.Exact(0), bc...)
	f.mustAppend(stream, eventstore.Exact(2), f.event("d"))

	f.retry(stream, eventstore.Exact(0), resBC, 4, bc...)
	f.retry(stream, eventstore.NoStream(), resA, 4, a...)
	f.retry(stream, eventstore.Any(), resBC, 4, bc...)
}

func testRetryAny(f *fixture) {
	stream := f.stream("any")
	evs := f.events("any", 2)
	res := f.mustAppend(stream, eventstore.Any(), evs...)
	f.retry(stream, eventstore.Any(), res, 2, evs...)
}

// testRetryConcurrent sends one request from many goroutines at once: all
// succeed with the same result and the events are stored once.
func testRetryConcurrent(f *fixture) {
	stream := f.stream("concurrent")
	evs := f.events("dup", 2)
	const n = 8
	results := make([]eventstore.AppendResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = f.store.Append(f.ctx, stream, eventstore.NoStream(), evs...)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			f.t.Fatalf("concurrent retry %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			f.t.Fatalf("concurrent retries returned %+v and %+v", results[0], results[i])
		}
	}
	sameIDs(f.t, "stream", ids(f.readStream(stream, 0)), ids(evs))
}

// testIDElsewhere reuses stored IDs at other places: each append fails and
// writes nothing.
func testIDElsewhere(f *fixture) {
	stream, other := f.stream("home"), f.stream("other")
	a := f.event("a")
	f.mustAppend(stream, eventstore.NoStream(), a)
	before := f.head()

	attempts := []struct {
		name   string
		stream string
		exp    eventstore.ExpectedRevision
		evs    []eventstore.EventData
	}{
		{"same stream, next revision", stream, eventstore.Exact(0), []eventstore.EventData{a}},
		{"same stream, stream exists", stream, eventstore.StreamExists(), []eventstore.EventData{f.event("new"), a}},
		{"other stream", other, eventstore.NoStream(), []eventstore.EventData{a}},
		{"other stream, after a new event", other, eventstore.Any(), []eventstore.EventData{f.event("new"), a}},
	}
	for _, at := range attempts {
		if res, err := f.store.Append(f.ctx, at.stream, at.exp, at.evs...); err == nil {
			f.t.Fatalf("%s: reusing ID %s succeeded with %+v, want an error", at.name, a.ID, res)
		}
	}
	if got := f.readMine(before); len(got) != 0 {
		f.t.Fatalf("failed appends wrote %d events", len(got))
	}
	sameIDs(f.t, "home stream", ids(f.readStream(stream, 0)), []string{a.ID})
}
