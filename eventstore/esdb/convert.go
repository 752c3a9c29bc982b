package esdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

// errNoPosition is returned when an event read from the server carries no
// transaction-log position at all.
var errNoPosition = errors.New("event has no position (the server must report positions on stream reads, as EventStoreDB 24.x does)")

// isSystemType reports whether an event type belongs to EventStoreDB
// itself ("$metadata", "$>" links, "$statsCollected", ...). The port never
// shows such events and Append refuses to write them.
func isSystemType(eventType string) bool {
	return strings.HasPrefix(eventType, "$")
}

// knownPosition returns p unless it is one of the client's ways of saying
// "no position": 0, or the server's -1 seen as an unsigned number.
func knownPosition(p uint64) uint64 {
	if p == math.MaxUint64 {
		return 0
	}
	return p
}

// positionOf returns the global position of an event: its commit position
// in $all. Events appended through the gRPC API commit themselves, so
// their commit and prepare positions are equal and distinct per event, and
// a stream read reports them just as a read of $all does; when a server
// leaves the commit position out the prepare position stands in for it.
// The result is > 0 and <= eventstore.MaxPosition or an error is
// returned.
func positionOf(p client.Position) (uint64, error) {
	pos := knownPosition(p.Commit)
	if pos == 0 {
		pos = knownPosition(p.Prepare)
	}
	return checkPosition(pos)
}

// checkPosition refuses positions the port cannot hand out: 0 (no
// position) and anything above eventstore.MaxPosition (not exact as a
// JavaScript number).
func checkPosition(pos uint64) (uint64, error) {
	switch {
	case pos == 0:
		return 0, errNoPosition
	case pos > eventstore.MaxPosition:
		return 0, fmt.Errorf("commit position %d exceeds the largest position uivmm can hand out (%d)", pos, uint64(eventstore.MaxPosition))
	}
	return pos, nil
}

// allPosition turns an exclusive port checkpoint into the client's $all
// position: 0 means the start of the log; anything else is the position
// of an event handed out earlier (commit == prepare, see positionOf).
// EventStoreDB reads $all inclusively from that position and subscribes
// exclusively after it; callers skip positions <= after in both cases.
func allPosition(after uint64) client.AllPosition {
	if after == 0 {
		return client.Start{}
	}
	return client.Position{Commit: after, Prepare: after}
}

// expectedRevision maps the port's optimistic-concurrency guard onto the
// client's stream-state options.
func expectedRevision(e eventstore.ExpectedRevision) client.ExpectedRevision {
	if rev, ok := e.ExactRevision(); ok {
		return client.Revision(rev)
	}
	switch {
	case e.IsNoStream():
		return client.NoStream{}
	case e.IsStreamExists():
		return client.StreamExists{}
	default:
		return client.Any{}
	}
}

// envelope is the JSON stored as EventStoreDB user metadata: the port's
// Metadata, flattened, plus the client's clock at Append.
type envelope struct {
	eventstore.Metadata
	AppendedAt time.Time `json:"appended_at"`
}

// encodeMetadata renders the metadata stored with an event.
func encodeMetadata(md eventstore.Metadata, appendedAt time.Time) ([]byte, error) {
	b, err := json.Marshal(envelope{Metadata: md, AppendedAt: appendedAt.UTC()})
	if err != nil {
		return nil, fmt.Errorf("encoding metadata: %w", err)
	}
	return b, nil
}

// decodeMetadata reads metadata written by encodeMetadata. Empty metadata
// gives the zero Metadata and a zero time; unknown fields are ignored.
func decodeMetadata(b []byte) (eventstore.Metadata, time.Time, error) {
	if len(b) == 0 {
		return eventstore.Metadata{}, time.Time{}, nil
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return eventstore.Metadata{}, time.Time{}, fmt.Errorf("decoding metadata: %w", err)
	}
	return env.Metadata, env.AppendedAt.UTC(), nil
}

// toEventData validates one port event and turns it into the client's
// EventData: the caller's ID becomes the EventStoreDB event ID (which is
// what makes retries idempotent), the content type is JSON, and empty
// data is stored as JSON null.
func toEventData(ev eventstore.EventData, now time.Time) (client.EventData, error) {
	id, err := uuid.Parse(ev.ID)
	if err != nil {
		return client.EventData{}, fmt.Errorf("event id %q is not a uuid: %w", ev.ID, err)
	}
	if id.String() != ev.ID {
		// EventStoreDB keeps the 16 bytes, so only the canonical form
		// survives a round trip unchanged.
		return client.EventData{}, fmt.Errorf("event id %q is not a canonical lower-case uuid (%s)", ev.ID, id)
	}
	if ev.Type == "" {
		return client.EventData{}, fmt.Errorf("event %s has no type", ev.ID)
	}
	if isSystemType(ev.Type) {
		return client.EventData{}, fmt.Errorf("event %s: type %q is reserved for eventstoredb", ev.ID, ev.Type)
	}
	data := []byte(ev.Data)
	switch {
	case len(data) == 0:
		data = []byte("null")
	case !json.Valid(data):
		return client.EventData{}, fmt.Errorf("event %s: data is not valid json", ev.ID)
	}
	md, err := encodeMetadata(ev.Metadata, now)
	if err != nil {
		return client.EventData{}, fmt.Errorf("event %s: %w", ev.ID, err)
	}
	return client.EventData{
		EventID:     id,
		EventType:   ev.Type,
		ContentType: client.ContentTypeJson,
		Data:        data,
		Metadata:    md,
	}, nil
}

// fromRecorded turns an event read from the server into the port's
// RecordedEvent. Time is the server's creation time; the appended_at
// field of the metadata is used only when the server sent none.
func fromRecorded(re *client.RecordedEvent) (eventstore.RecordedEvent, error) {
	if re == nil {
		return eventstore.RecordedEvent{}, errors.New("empty event from server")
	}
	pos, err := positionOf(re.Position)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("event %s in %q at revision %d: %w", re.EventID, re.StreamID, re.EventNumber, err)
	}
	md, appendedAt, err := decodeMetadata(re.UserMetadata)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("event %s in %q at revision %d: %w", re.EventID, re.StreamID, re.EventNumber, err)
	}
	at := re.CreatedDate.UTC()
	if !re.CreatedDate.After(time.Unix(0, 0)) {
		at = appendedAt
	}
	var data json.RawMessage
	if len(re.Data) > 0 {
		data = json.RawMessage(re.Data)
	}
	return eventstore.RecordedEvent{
		Position: pos,
		Stream:   re.StreamID,
		Revision: re.EventNumber,
		ID:       re.EventID.String(),
		Type:     re.EventType,
		Data:     data,
		Metadata: md,
		Time:     at,
	}, nil
}
