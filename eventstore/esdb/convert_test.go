package esdb

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

func TestPositionOf(t *testing.T) {
	cases := []struct {
		name    string
		in      client.Position
		want    uint64
		wantErr bool
	}{
		{"commit", client.Position{Commit: 4096, Prepare: 4096}, 4096, false},
		{"commit wins over prepare", client.Position{Commit: 500, Prepare: 400}, 500, false},
		{"prepare when commit missing", client.Position{Prepare: 777}, 777, false},
		{"max position", client.Position{Commit: eventstore.MaxPosition}, eventstore.MaxPosition, false},
		{"above max", client.Position{Commit: eventstore.MaxPosition + 1}, 0, true},
		{"no position", client.Position{}, 0, true},
		{"server's -1 for commit", client.Position{Commit: math.MaxUint64, Prepare: 640}, 640, false},
		{"server's -1 for both", client.Position{Commit: math.MaxUint64, Prepare: math.MaxUint64}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := positionOf(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("positionOf(%+v) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
	if _, err := positionOf(client.Position{}); !errors.Is(err, errNoPosition) {
		t.Fatalf("zero position error %v, want errNoPosition", err)
	}
}

func TestAllPosition(t *testing.T) {
	if got := allPosition(0); got != (client.Start{}) {
		t.Fatalf("allPosition(0) = %#v, want Start", got)
	}
	if got := allPosition(1234); got != (client.Position{Commit: 1234, Prepare: 1234}) {
		t.Fatalf("allPosition(1234) = %#v", got)
	}
}

func TestExpectedRevision(t *testing.T) {
	cases := []struct {
		name string
		in   eventstore.ExpectedRevision
		want client.ExpectedRevision
	}{
		{"any", eventstore.Any(), client.Any{}},
		{"no stream", eventstore.NoStream(), client.NoStream{}},
		{"stream exists", eventstore.StreamExists(), client.StreamExists{}},
		{"exact 0", eventstore.Exact(0), client.Revision(0)},
		{"exact 42", eventstore.Exact(42), client.Revision(42)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := expectedRevision(tc.in); got != tc.want {
				t.Fatalf("expectedRevision(%s) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	cases := []struct {
		stream, typ    string
		system, hidden bool
	}{
		{"server-1", "server:registered", false, false},
		{"$stats-127.0.0.1:2113", "$statsCollected", true, true},
		{"$ce-server", "$>", true, true},
		{"server-1", "$>", true, true},
		{claimStream(uuid.NewString()), claimType, false, true},
		{"uivmm-event", "x", false, false},
	}
	for _, tc := range cases {
		if got := isSystemType(tc.typ); got != tc.system {
			t.Errorf("isSystemType(%q) = %v, want %v", tc.typ, got, tc.system)
		}
		if got := isHidden(tc.stream, tc.typ); got != tc.hidden {
			t.Errorf("isHidden(%q, %q) = %v, want %v", tc.stream, tc.typ, got, tc.hidden)
		}
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 890, time.FixedZone("x", 3600))
	cases := []eventstore.Metadata{
		{},
		{ActorKind: eventstore.ActorSystem},
		{ActorID: 42, ActorKind: eventstore.ActorUser, ActorName: "Zoë \"q\" \\ ✓", RequestID: "r",
			CorrelationID: "c", CausationID: "k", ClientAddr: "[2001:db8::1]:443", Command: "ssh-key.add"},
		{ActorID: -1, ActorKind: eventstore.ActorExternal, ActorName: "lxd"},
	}
	for _, md := range cases {
		b, err := encodeMetadata(md, at)
		if err != nil {
			t.Fatal(err)
		}
		got, gotAt, err := decodeMetadata(b)
		if err != nil || got != md || !gotAt.Equal(at) || gotAt.Location() != time.UTC {
			t.Fatalf("round trip of %+v via %s = %+v, %v, %v", md, b, got, gotAt, err)
		}
	}
}

func TestDecodeMetadata(t *testing.T) {
	md, at, err := decodeMetadata(nil)
	if err != nil || md != (eventstore.Metadata{}) || !at.IsZero() {
		t.Fatalf("empty metadata = %+v, %v, %v", md, at, err)
	}
	md, _, err = decodeMetadata([]byte(`{"actor_id":7,"actor_kind":"user","$correlationId":"x","future":1}`))
	if err != nil || md.ActorID != 7 || md.ActorKind != eventstore.ActorUser {
		t.Fatalf("metadata with unknown fields = %+v, %v", md, err)
	}
	if _, _, err := decodeMetadata([]byte(`not json`)); err == nil {
		t.Fatal("invalid metadata decoded without error")
	}
}

func TestToEventData(t *testing.T) {
	id := uuid.NewString()
	now := time.Now()
	ok := eventstore.EventData{ID: id, Type: "server:registered", Data: json.RawMessage(`{"a":1}`),
		Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem}}
	got, err := toEventData(ok, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.EventID.String() != id || got.EventType != ok.Type || got.ContentType != client.ContentTypeJson ||
		string(got.Data) != `{"a":1}` {
		t.Fatalf("toEventData = %+v", got)
	}
	if md, at, err := decodeMetadata(got.Metadata); err != nil || md != ok.Metadata || !at.Equal(now) {
		t.Fatalf("metadata %s decodes to %+v, %v, %v", got.Metadata, md, at, err)
	}

	if got, err := toEventData(eventstore.EventData{ID: id, Type: "t"}, now); err != nil || string(got.Data) != "null" {
		t.Fatalf("empty data = %q, %v; want null", got.Data, err)
	}

	bad := map[string]eventstore.EventData{
		"invalid json": {ID: id, Type: "t", Data: json.RawMessage(`{"a":`)},
		"not a uuid":   {ID: "e1", Type: "t"},
		"upper case":   {ID: strings.ToUpper(id), Type: "t"},
		"braced":       {ID: "{" + id + "}", Type: "t"},
		"empty type":   {ID: id},
		"system type":  {ID: id, Type: "$metadata"},
		"empty id":     {ID: "", Type: "t"},
	}
	for name, ev := range bad {
		if _, err := toEventData(ev, now); err == nil {
			t.Errorf("%s: toEventData(%+v) succeeded, want an error", name, ev)
		}
	}
}

func TestFromRecorded(t *testing.T) {
	id := uuid.New()
	appended := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	md, _ := encodeMetadata(eventstore.Metadata{ActorID: 3, ActorKind: eventstore.ActorUser}, appended)
	created := time.Date(2025, 1, 2, 3, 4, 6, 700, time.UTC)
	re := &client.RecordedEvent{
		EventID: id, EventType: "server:registered", StreamID: "server-1", EventNumber: 4,
		Position: client.Position{Commit: 9000, Prepare: 9000}, CreatedDate: created,
		Data: []byte(`{"x":true}`), UserMetadata: md,
	}
	got, err := fromRecorded(re)
	if err != nil {
		t.Fatal(err)
	}
	want := eventstore.RecordedEvent{Position: 9000, Stream: "server-1", Revision: 4, ID: id.String(),
		Type: "server:registered", Data: json.RawMessage(`{"x":true}`),
		Metadata: eventstore.Metadata{ActorID: 3, ActorKind: eventstore.ActorUser}, Time: created}
	if got.Position != want.Position || got.Stream != want.Stream || got.Revision != want.Revision ||
		got.ID != want.ID || got.Type != want.Type || string(got.Data) != string(want.Data) ||
		got.Metadata != want.Metadata || !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
		t.Fatalf("fromRecorded = %+v, want %+v", got, want)
	}

	re.CreatedDate = time.Unix(0, 0).UTC()
	if got, err := fromRecorded(re); err != nil || !got.Time.Equal(appended) {
		t.Fatalf("without server time: Time = %v, %v; want the appended_at %v", got.Time, err, appended)
	}
	re.Position = client.Position{Commit: eventstore.MaxPosition + 10}
	if _, err := fromRecorded(re); err == nil {
		t.Fatal("event above MaxPosition converted without error")
	}
	re.Position, re.UserMetadata = client.Position{Commit: 1}, []byte("{")
	if _, err := fromRecorded(re); err == nil {
		t.Fatal("event with broken metadata converted without error")
	}
	if _, err := fromRecorded(nil); err == nil {
		t.Fatal("nil event converted without error")
	}
}
