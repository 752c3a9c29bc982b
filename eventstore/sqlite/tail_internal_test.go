package sqlite

import (
	"testing"

	"github.com/uivmm/uivmm/eventstore"
)

func recs(positions ...uint64) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(positions))
	for i, p := range positions {
		out[i] = eventstore.RecordedEvent{Position: p, Data: []byte{byte(p)}}
	}
	return out
}

func positions(evs []eventstore.RecordedEvent) []uint64 {
	var out []uint64
	for _, ev := range evs {
		out = append(out, ev.Position)
	}
	return out
}

// The tail answers from one run of consecutive positions, never beyond
// the head it may not know all of, and starts again at a gap.
func TestTailAnswers(t *testing.T) {
	var tl tail
	check := func(after uint64, limit int, head uint64, want []uint64, wantOK bool) {
		t.Helper()
		got, ok := tl.read(after, limit, head)
		if ok != wantOK || (ok && len(got) != len(want)) {
			t.Fatalf("read(%d, %d, head %d) = %v, %v; want %v, %v", after, limit, head, positions(got), ok, want, wantOK)
		}
		for i := range want {
			if got[i].Position != want[i] {
				t.Fatalf("read(%d, %d, head %d) = %v; want %v", after, limit, head, positions(got), want)
			}
		}
	}
	check(0, 10, 0, nil, false) // empty
	tl.add(recs(3, 4, 5))
	check(2, 10, 5, []uint64{3, 4, 5}, true)
	check(3, 1, 5, []uint64{4}, true)
	check(1, 10, 5, nil, false)           // 2 is not held
	check(5, 10, 5, nil, false)           // nothing after: only the database knows
	check(3, 10, 9, nil, false)           // a short page while the head is further
	check(3, 2, 9, []uint64{4, 5}, true)  // a full page is fine
	tl.add(recs(8, 9))                    // 6-7 appended elsewhere: a new run
	check(4, 10, 9, nil, false)           // 5 is gone
	check(7, 10, 9, []uint64{8, 9}, true) // the new run
	got, _ := tl.read(7, 1, 9)
	got[0].Data[0] = 0xff
	if again, _ := tl.read(7, 1, 9); again[0].Data[0] != 8 {
		t.Error("a read shares the tail's data")
	}
	for p := uint64(10); p < 10+3*tailSize; p++ {
		tl.add(recs(p))
	}
	if n := len(tl.evs); n > 2*tailSize || n < tailSize {
		t.Errorf("tail holds %d events, want between %d and %d", n, tailSize, 2*tailSize)
	}
}
