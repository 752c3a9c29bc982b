package storetest

import (
	"errors"
	"sync"

	"github.com/uivmm/uivmm/eventstore"
)

func concurrencyCases() []testCase {
	return []testCase{
		{"Concurrency/ExactRevisionRace", testExactRace},
		{"Concurrency/RetryUntilAppended", testRetryLoop},
	}
}

const racers = 32

// testExactRace makes racers goroutines append to one stream at the same
// expected revision, round after round: exactly one wins each revision, the
// others get a wrong-version error, and the stream has no gap.
func testExactRace(f *fixture) {
	const rounds = 12
	stream := f.stream("race")
	f.mustAppend(stream, eventstore.NoStream(), f.event("created"))
	winners := []string{""}
	for r := range uint64(rounds) {
		evs := f.events("raced", racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Go(func() {
				<-start
				_, errs[i] = f.store.Append(f.ctx, stream, eventstore.Exact(r), evs[i])
			})
		}
		close(start)
		wg.Wait()
		winners = append(winners, raceWinner(f, r, evs, errs))
	}
	got := f.readStream(stream, 0)
	for i, ev := range got {
		if ev.Revision != uint64(i) {
			f.t.Fatalf("event %d has revision %d", i, ev.Revision)
		}
	}
	sameIDs(f.t, "stream", ids(got)[1:], winners[1:])
}

// raceWinner checks one round's outcome and returns the winning event's ID.
func raceWinner(f *fixture, r uint64, evs []eventstore.EventData, errs []error) string {
	f.t.Helper()
	winner := ""
	for i, err := range errs {
		var wev *eventstore.WrongExpectedVersionError
		switch {
		case err == nil && winner != "":
			f.t.Fatalf("round %d: two appends at revision %d both won", r, r)
		case err == nil:
			winner = evs[i].ID
		case !errors.As(err, &wev):
			f.t.Fatalf("round %d: loser got %v, want a WrongExpectedVersionError", r, err)
		case !wev.ActualExists || wev.Actual != r+1:
			f.t.Fatalf("round %d: loser saw actual %d (exists %v), want %d", r, wev.Actual, wev.ActualExists, r+1)
		}
	}
	if winner == "" {
		f.t.Fatalf("round %d: no append won", r)
	}
	return winner
}

// testRetryLoop has racers goroutines each land perWriter events on one
// stream, retrying conflicts at the revision the error reports.
func testRetryLoop(f *fixture) {
	const perWriter = 3
	stream := f.stream("retry")
	f.mustAppend(stream, eventstore.NoStream(), f.event("created"))
	var wg sync.WaitGroup
	errs := make(chan error, racers)
	for range racers {
		wg.Go(func() {
			for range perWriter {
				if err := f.appendRetrying(stream, f.event("retried")); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Fatal(err)
	}
	got := f.readStream(stream, 0)
	seen := map[string]bool{}
	for i, ev := range got {
		if ev.Revision != uint64(i) || seen[ev.ID] {
			f.t.Fatalf("event %d: revision %d, duplicate %v", i, ev.Revision, seen[ev.ID])
		}
		seen[ev.ID] = true
	}
	if len(got) != 1+racers*perWriter {
		f.t.Fatalf("stream holds %d events, want %d", len(got), 1+racers*perWriter)
	}
}

// appendRetrying appends ev at the stream's end with an Exact guard,
// retrying at the actual revision a conflict reports.
func (f *fixture) appendRetrying(stream string, ev eventstore.EventData) error {
	expected := uint64(0)
	for {
		_, err := f.store.Append(f.ctx, stream, eventstore.Exact(expected), ev)
		var wev *eventstore.WrongExpectedVersionError
		if !errors.As(err, &wev) {
			return err
		}
		expected = wev.Actual
	}
}
