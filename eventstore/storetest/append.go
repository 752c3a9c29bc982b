package storetest

import (
	"errors"
	"testing"

	"github.com/uivmm/uivmm/eventstore"
)

func appendCases() []testCase {
	return []testCase{
		{"Append/Guards", testAppendGuards},
		{"Append/MultipleEvents", testAppendMultiple},
		{"Append/FailedGuardWritesNothing", testAppendFailedWritesNothing},
		{"Append/EmptyIsError", testAppendEmpty},
		{"Append/PositionsIncrease", testAppendPositions},
	}
}

// testAppendGuards checks every guard against a missing stream and against a
// stream of three events (last revision 2).
func testAppendGuards(f *fixture) {
	cases := []struct {
		name     string
		existing int
		expected eventstore.ExpectedRevision
		wantRev  uint64 // NextRevision on success
		wantErr  bool
	}{
		{"any/new", 0, eventstore.Any(), 0, false},
		{"any/existing", 3, eventstore.Any(), 3, false},
		{"no-stream/new", 0, eventstore.NoStream(), 0, false},
		{"no-stream/existing", 3, eventstore.NoStream(), 0, true},
		{"stream-exists/new", 0, eventstore.StreamExists(), 0, true},
		{"stream-exists/existing", 3, eventstore.StreamExists(), 3, false},
		{"exact/new", 0, eventstore.Exact(0), 0, true},
		{"exact/last", 3, eventstore.Exact(2), 3, false},
		{"exact/behind", 3, eventstore.Exact(1), 0, true},
		{"exact/ahead", 3, eventstore.Exact(5), 0, true},
	}
	for _, tc := range cases {
		f.t.Run(tc.name, func(t *testing.T) {
			g := f.sub(t)
			stream := g.stream("s")
			if tc.existing > 0 {
				g.mustAppend(stream, eventstore.NoStream(), g.events("seed", tc.existing)...)
			}
			res, err := g.store.Append(g.ctx, stream, tc.expected, g.event("guarded"))
			if tc.wantErr {
				checkWrongVersion(t, err, stream, tc.expected, tc.existing)
				if got := len(g.readStream(stream, 0)); got != tc.existing {
					t.Fatalf("stream has %d events after failed append, want %d", got, tc.existing)
				}
				return
			}
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			checkResult(g, stream, res, tc.wantRev)
		})
	}
}

// checkWrongVersion fails t unless err is the port's wrong-version error for
// stream and expected, reporting a stream of existing events.
func checkWrongVersion(t *testing.T, err error, stream string, expected eventstore.ExpectedRevision, existing int) {
	t.Helper()
	if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		t.Fatalf("Append with %s: got %v, want ErrWrongExpectedVersion", expected, err)
	}
	var wev *eventstore.WrongExpectedVersionError
	if !errors.As(err, &wev) {
		t.Fatalf("error %v is not a *WrongExpectedVersionError", err)
	}
	if wev.Stream != stream || wev.Expected != expected {
		t.Fatalf("error names stream %q expected %s, want %q %s", wev.Stream, wev.Expected, stream, expected)
	}
	wantExists := existing > 0
	if wev.ActualExists != wantExists || (wantExists && wev.Actual != uint64(existing-1)) {
		t.Fatalf("error reports actual %d (exists %v), want %d (exists %v)",
			wev.Actual, wev.ActualExists, existing-1, wantExists)
	}
}

// checkResult fails unless res names the last event of stream, which has
// revision wantRev.
func checkResult(f *fixture, stream string, res eventstore.AppendResult, wantRev uint64) {
	f.t.Helper()
	if res.NextRevision != wantRev {
		f.t.Fatalf("NextRevision = %d, want %d", res.NextRevision, wantRev)
	}
	checkPosition(f.t, res.Position, 0)
	evs := f.readStream(stream, 0)
	last := evs[len(evs)-1]
	if last.Revision != wantRev || last.Position != res.Position {
		f.t.Fatalf("last event at revision %d position %d, result says %d %d",
			last.Revision, last.Position, res.NextRevision, res.Position)
	}
}

func testAppendMultiple(f *fixture) {
	stream := f.stream("multi")
	first := f.events("multi", 3)
	checkResult(f, stream, f.mustAppend(stream, eventstore.NoStream(), first...), 2)
	second := f.events("multi", 2)
	checkResult(f, stream, f.mustAppend(stream, eventstore.Exact(2), second...), 4)

	got := f.readStream(stream, 0)
	sameIDs(f.t, "stream", ids(got), ids(append(first, second...)))
	var prev uint64
	for i, ev := range got {
		if ev.Stream != stream || ev.Revision != uint64(i) {
			f.t.Fatalf("event %d at %s@%d, want %s@%d", i, ev.Stream, ev.Revision, stream, i)
		}
		checkPosition(f.t, ev.Position, prev)
		prev = ev.Position
	}
}

func testAppendFailedWritesNothing(f *fixture) {
	stream := f.stream("atomic")
	before := f.head()
	f.mustAppend(stream, eventstore.NoStream(), f.event("first"))
	_, err := f.store.Append(f.ctx, stream, eventstore.Exact(7), f.events("batch", 4)...)
	checkWrongVersion(f.t, err, stream, eventstore.Exact(7), 1)
	if got := len(f.readMine(before)); got != 1 {
		f.t.Fatalf("log holds %d of this test's events, want 1", got)
	}
}

func testAppendEmpty(f *fixture) {
	stream := f.stream("empty")
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any(), eventstore.NoStream()} {
		if _, err := f.store.Append(f.ctx, stream, exp); err == nil {
			f.t.Fatalf("Append of no events with %s succeeded, want an error", exp)
		}
	}
	if got := len(f.readStream(stream, 0)); got != 0 {
		f.t.Fatalf("empty appends created %d events", got)
	}
	f.mustAppend(stream, eventstore.NoStream(), f.event("after-empty"))
}

// testAppendPositions interleaves appends to three streams: every result's
// position is valid and after the previous one, and Head covers the last.
func testAppendPositions(f *fixture) {
	var prev uint64
	revs := map[string]uint64{}
	for i := range 30 {
		stream := f.stream(string(rune('a' + i%3)))
		res := f.mustAppend(stream, eventstore.Any(), f.event("pos"))
		checkPosition(f.t, res.Position, prev)
		if res.NextRevision != revs[stream] {
			f.t.Fatalf("append %d to %s: NextRevision %d, want %d", i, stream, res.NextRevision, revs[stream])
		}
		revs[stream]++
		prev = res.Position
	}
	if h := f.head(); h < prev || h > eventstore.MaxPosition {
		f.t.Fatalf("Head = %d, want in [%d, MaxPosition]", h, prev)
	}
}
