package stream

import (
	"testing"
	"time"
)

// Group g flushes on its own phase of the grid, never sooner than half an
// interval after its last flush, and at once when it never flushed.
func TestGroupTick(t *testing.T) {
	fi := 30 * time.Millisecond
	base := time.Unix(1_700_000_000, 0).Truncate(fi) // a tick of group 0
	for g := range flushGroups {
		phase := fi * time.Duration(g) / flushGroups
		for _, off := range []time.Duration{0, time.Millisecond, fi / 2, fi/2 + time.Millisecond, fi - time.Nanosecond, 3 * fi} {
			last := base.Add(off)
			due := groupTick(last, fi, g)
			if got := due.Sub(base.Add(phase)) % fi; got != 0 {
				t.Errorf("group %d, last %s: due %s is off the group's phase by %s", g, off, due.Sub(base), got)
			}
			if wait := due.Sub(last); wait < fi/2 || wait > fi+fi/2 {
				t.Errorf("group %d, last %s: due %s after it, want between %s and %s", g, off, wait, fi/2, fi+fi/2)
			}
		}
		if due := groupTick(time.Time{}, fi, g); !due.Before(time.Now()) {
			t.Errorf("group %d never flushed: due %s, want at once", g, due)
		}
	}
}

// The dispatcher spreads subscribers over the groups in turn.
func TestSubscribersSpreadOverGroups(t *testing.T) {
	h := &Hub{streams: map[string]*streamState{}}
	h.cfg.setDefaults()
	h.subs.Store(&[]*subscriber{})
	count := make([]int, flushGroups)
	for i := range 3 * flushGroups {
		id := string(rune('a' + i))
		h.streams[id] = &streamState{}
		s, err := h.attach(id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		count[s.group]++
	}
	for g, n := range count {
		if n != 3 {
			t.Errorf("group %d has %d subscribers, want 3 (%v)", g, n, count)
		}
	}
}
