package storetest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"

	"github.com/uivmm/uivmm/eventstore"
)

func roundTripCases() []testCase {
	return []testCase{
		{"RoundTrip/Metadata", testMetadataRoundTrip},
		{"RoundTrip/Data", testDataRoundTrip},
		{"RoundTrip/Time", testTimeRoundTrip},
	}
}

// readBoth returns the events of stream read with ReadStream, after checking
// that ReadAll returns equal events.
func (f *fixture) readBoth(stream string, after uint64) []eventstore.RecordedEvent {
	f.t.Helper()
	byStream := f.readStream(stream, 0)
	var byAll []eventstore.RecordedEvent
	for _, ev := range f.readMine(after) {
		if ev.Stream == stream {
			byAll = append(byAll, ev)
		}
	}
	if len(byAll) != len(byStream) {
		f.t.Fatalf("ReadAll found %d events of %s, ReadStream %d", len(byAll), stream, len(byStream))
	}
	for i := range byAll {
		a, s := byAll[i], byStream[i]
		if !a.Time.Equal(s.Time) || !jsonEqual(a.Data, s.Data) {
			f.t.Fatalf("event %d differs between ReadAll and ReadStream", i)
		}
		a.Time, s.Time, a.Data, s.Data = time.Time{}, time.Time{}, nil, nil
		if !reflect.DeepEqual(a, s) {
			f.t.Fatalf("event %d: ReadAll %+v, ReadStream %+v", i, a, s)
		}
	}
	return byStream
}

func testMetadataRoundTrip(f *fixture) {
	metas := []eventstore.Metadata{
		{ActorID: 42, ActorKind: eventstore.ActorUser, ActorName: "Zoë Ødegård ✓",
			RequestID: "req-1", CorrelationID: "corr-1", CausationID: "cause-1",
			ClientAddr: "[2001:db8::1]:443"},
		{ActorKind: eventstore.ActorSystem},
		{ActorID: -1, ActorKind: eventstore.ActorExternal, ActorName: `lxd "host" \ 1`,
			ClientAddr: "192.0.2.7"},
		{},
	}
	stream := f.stream("meta")
	start := f.head()
	evs := f.events("meta", len(metas))
	for i := range evs {
		evs[i].Metadata = metas[i]
	}
	f.mustAppend(stream, eventstore.NoStream(), evs...)
	for i, ev := range f.readBoth(stream, start) {
		if ev.Metadata != metas[i] {
			f.t.Fatalf("metadata %d: got %+v, want %+v", i, ev.Metadata, metas[i])
		}
		if ev.Type != evs[i].Type || ev.ID != evs[i].ID {
			f.t.Fatalf("event %d: got %s/%s, want %s/%s", i, ev.ID, ev.Type, evs[i].ID, evs[i].Type)
		}
	}
}

func testDataRoundTrip(f *fixture) {
	payloads := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e"}}`,
		`{"big":9007199254740993,"neg":-0.5e-7,"exp":1E+300}`,
		`{"text":"ünïcødé 😀 \u0000 \"quoted\" \\ </script>"}`,
		`[1,"two",{"three":3}]`,
		`"just a string"`,
		`{}`,
		`null`,
	}
	stream := f.stream("data")
	start := f.head()
	evs := f.events("server:data_checked", len(payloads))
	for i := range evs {
		evs[i].Data = json.RawMessage(payloads[i])
	}
	f.mustAppend(stream, eventstore.NoStream(), evs...)
	for i, ev := range f.readBoth(stream, start) {
		if !jsonEqual(ev.Data, evs[i].Data) {
			f.t.Fatalf("data %d: got %s, want %s", i, ev.Data, evs[i].Data)
		}
		if ev.Type != "server:data_checked" {
			f.t.Fatalf("type %d: got %q", i, ev.Type)
		}
	}
}

// jsonEqual reports whether a and b hold the same JSON value, numbers
// compared by their text.
func jsonEqual(a, b []byte) bool {
	va, errA := decodeJSON(a)
	vb, errB := decodeJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(va, vb)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// clockSkew is how far a store's clock may be from the test's.
const clockSkew = 5 * time.Second

func testTimeRoundTrip(f *fixture) {
	stream := f.stream("time")
	start := f.head()
	before := time.Now()
	f.mustAppend(stream, eventstore.NoStream(), f.events("time", 2)...)
	after := time.Now()
	for _, ev := range f.readBoth(stream, start) {
		if ev.Time.Location() != time.UTC {
			f.t.Fatalf("Time %v is not UTC", ev.Time)
		}
		if ev.Time.Before(before.Add(-clockSkew)) || ev.Time.After(after.Add(clockSkew)) {
			f.t.Fatalf("Time %v not within %v of [%v, %v]", ev.Time, clockSkew, before, after)
		}
	}
}
