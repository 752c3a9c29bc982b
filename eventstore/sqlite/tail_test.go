package sqlite_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// Reads a store answers from the events it committed itself equal what a
// store that did not write them reads from the file, including when
// another store on the same file appended in between, once the store has
// learnt the head (its poller does that within its interval; Head at
// once): the other store's events are never skipped.
func TestRecentEventsReadLikeTheLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	open := func() *sqlite.Store { return openAt(t, path) }
	a, b := open(), open()
	ctx := t.Context()
	seq := 0
	appendTo := func(s *sqlite.Store, n int) {
		var evs []eventstore.EventData
		for range n {
			seq++
			md := eventstore.Metadata{ActorID: int64(seq), ActorKind: eventstore.ActorUser, RequestID: fmt.Sprint("r", seq),
				ActorName: "bad utf-8 \xff", Command: "c"}
			data := json.RawMessage(fmt.Sprintf(`{"seq":%d}`, seq))
			if seq%4 == 0 {
				data = nil
			}
			evs = append(evs, eventstore.EventData{ID: fmt.Sprint("id-", seq), Type: "t", Data: data, Metadata: md})
		}
		if _, err := s.Append(ctx, fmt.Sprint("s-", seq%3), eventstore.Any(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	appendTo(a, 3) // 1-3
	appendTo(b, 2) // 4-5, by the other store
	appendTo(a, 4) // 6-9
	appendTo(a, 1) // 10

	reader := open() // holds nothing in memory: reads the file
	for _, s := range []*sqlite.Store{a, b} {
		if head, err := s.Head(ctx); err != nil || head != 10 {
			t.Fatalf("Head = %d, %v; want 10", head, err)
		}
	}
	for after := uint64(0); after <= 10; after++ {
		for _, limit := range []int{1, 3, 100} {
			want, err := reader.ReadAll(ctx, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if n := min(limit, 10-int(after)); len(want) != n {
				t.Fatalf("the file holds %d events after %d (limit %d), want %d", len(want), after, limit, n)
			}
			for _, s := range []*sqlite.Store{a, b} {
				got, err := s.ReadAll(ctx, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("ReadAll(%d, %d):\n got %+v\nwant %+v", after, limit, got, want)
				}
			}
		}
	}
	// A follower of a sees b's later appends (the tail never answers
	// "nothing new").
	page, _ := a.ReadAll(ctx, 10, 10)
	if len(page) != 0 {
		t.Fatalf("events after 10: %v", page)
	}
	appendTo(b, 1) // 11, by the other store
	page, err := a.ReadAll(ctx, 10, 10)
	if err != nil || len(page) != 1 || page[0].Position != 11 {
		t.Fatalf("after the other store appended: %+v, %v", page, err)
	}
	// Data is each reader's own.
	p1, _ := a.ReadAll(ctx, 5, 1)
	p1[0].Data[0] = 'X'
	if p2, _ := a.ReadAll(ctx, 5, 1); p2[0].Data[0] != '{' {
		t.Error("two reads share their data")
	}
}
