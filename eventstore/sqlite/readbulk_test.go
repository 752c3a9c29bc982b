package sqlite_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/uivmm/uivmm/eventstore"
)

// Large pages are read at the driver level, small ones through the
// prepared statement: both give the same events, field for field.
func TestLargePagesMatchSmallPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	w := openAt(t, path)
	ctx := t.Context()
	const n = 2500
	for i := 0; i < n; i += 50 {
		var evs []eventstore.EventData
		for j := i; j < i+50; j++ {
			md := eventstore.Metadata{ActorID: int64(j % 7), ActorKind: eventstore.ActorUser, RequestID: fmt.Sprintf("req-%d", j)}
			if j%3 == 0 {
				md = eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "näme \"quoted\"", CorrelationID: "c", CausationID: "d",
					ClientAddr: "127.0.0.1:1", Command: "ssh-key.add"}
			}
			data := json.RawMessage(fmt.Sprintf(`{"seq":%d,"s":"é\u2028\n"}`, j))
			if j%11 == 0 {
				data = nil // stored as null
			}
			evs = append(evs, eventstore.EventData{ID: fmt.Sprintf("id-%d", j), Type: fmt.Sprintf("t:%d", j%5), Data: data, Metadata: md})
		}
		if _, err := w.Append(ctx, fmt.Sprintf("s-%d", i%200), eventstore.Any(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	// Read through a store that did not write them, which holds none in
	// memory (see tail.go).
	s := openAt(t, path)
	var small []eventstore.RecordedEvent
	for after := uint64(0); ; {
		page, err := s.ReadAll(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		small = append(small, page...)
		after = page[len(page)-1].Position
	}
	if len(small) != n {
		t.Fatalf("read %d events in small pages, want %d", len(small), n)
	}
	for _, c := range []struct {
		after uint64
		limit int
	}{{0, 4096}, {0, 1024}, {small[1499].Position, 2000}, {small[n-1].Position, 4096}} {
		page, err := s.ReadAll(ctx, c.after, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		var want []eventstore.RecordedEvent
		for _, ev := range small {
			if ev.Position > c.after && len(want) < c.limit {
				want = append(want, ev)
			}
		}
		if len(page) != len(want) {
			t.Fatalf("ReadAll(%d, %d): %d events, want %d", c.after, c.limit, len(page), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(page[i], want[i]) {
				t.Fatalf("ReadAll(%d, %d) event %d:\n got %+v\nwant %+v", c.after, c.limit, i, page[i], want[i])
			}
		}
	}
	// Each event's data is its own: changing one changes no other read.
	page, _ := s.ReadAll(ctx, 0, 2000)
	page[1].Data[0] = 'X'
	again, _ := s.ReadAll(ctx, 0, 2000)
	if again[1].Data[0] != '{' {
		t.Error("a large page shares its data with later reads")
	}
}
