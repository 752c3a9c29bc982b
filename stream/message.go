package stream

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/uivmm/uivmm/eventstore"
)

// Actor is who caused an event (from its metadata).
type Actor struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

// Message is what one SSE data line or one WebSocket text frame carries.
// Type, RequestID and Body are what the original front-end reads: Type is
// the method that started the job (metadata.command, e.g. "instance.add",
// or the event type when no command caused it), Body a JSON:API document
// serialised as a string. The rest is the domain event, sanitised; the
// messages the hub makes itself (event.auth) leave it out.
type Message struct {
	Type      string          `json:"type"`
	RequestID string          `json:"request_id"`
	Body      string          `json:"body"`
	Position  uint64          `json:"position,omitempty"`
	Stream    string          `json:"stream,omitempty"`
	EventType string          `json:"event_type,omitempty"`
	Time      int64           `json:"time,omitempty"` // unix seconds
	Actor     *Actor          `json:"actor,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Hidden reports whether rec belongs to a bookkeeping stream that the
// live stream never sends.
func (c *Catalog) Hidden(rec eventstore.RecordedEvent) bool { return c.kindOf(rec.Stream).Hidden }

// Message renders rec as the stream sends it (the history tools print the
// same object). It never fails: data that is not a JSON object renders as
// {}.
func (c *Catalog) Message(rec eventstore.RecordedEvent) Message {
	m, _ := c.render(rec)
	return m
}

// render returns the message and the sanitised data it was built from.
func (c *Catalog) render(rec eventstore.RecordedEvent) (Message, map[string]any) {
	data := Sanitize(rec.Data)
	typ := rec.Metadata.Command
	if typ == "" {
		typ = rec.Type
	}
	body, err := marshal(c.body(rec, data))
	if err != nil {
		body = []byte(`{"data":{"type":"event","attributes":{}}}`)
	}
	dataJSON, err := marshal(data)
	if err != nil {
		dataJSON = []byte("{}")
	}
	md := rec.Metadata
	return Message{Type: typ, RequestID: md.RequestID, Body: string(body), Position: rec.Position,
		Stream: rec.Stream, EventType: rec.Type, Time: rec.Time.Unix(),
		Actor: &Actor{ID: md.ActorID, Kind: md.ActorKind, Name: md.ActorName}, Data: dataJSON}, data
}

// marshal encodes v without HTML escaping and without the trailing
// newline, so the result is one line.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// event is one message ready to send: rendered once, shared by every
// subscriber (read-only once made, see framed).
type event struct {
	pos       uint64
	requestID string
	line      []byte // the JSON object, one line
	sse       []byte // the SSE event: "id: <pos>" (stored events), the data line, a blank line
	ws        []byte // one unmasked WebSocket text frame carrying line
	// held is set when the request was in flight as the event was made.
	held bool
	// synthetic messages (event.auth) bypass the filter and the resume
	// bookkeeping.
	synthetic bool
	actorUser int64 // the actor when it is a user, else 0
	owner     int64
	ownerOK   bool
}

// visibleTo reports whether p may see the event.
func (e *event) visibleTo(p *Principal) bool {
	if e.synthetic || p.Privileged() {
		return true
	}
	return (e.actorUser != 0 && e.actorUser == p.ID) || (e.ownerOK && e.owner == p.ID)
}

// framed fills ev's SSE event and WebSocket frame from its line, once for
// every subscriber, and returns ev.
func framed(ev *event) *event {
	b := make([]byte, 0, len(ev.line)+32)
	if !ev.synthetic {
		b = append(b, "id: "...)
		b = strconv.AppendUint(b, ev.pos, 10)
		b = append(b, '\n')
	}
	b = append(b, "data: "...)
	b = append(b, ev.line...)
	ev.sse = append(b, "\n\n"...)
	ev.ws = appendTextFrame(make([]byte, 0, len(ev.line)+10), ev.line)
	return ev
}

// appendTextFrame appends p as one WebSocket text message in a single
// unmasked frame (RFC 6455 §5.2, what a server sends).
func appendTextFrame(b, p []byte) []byte {
	n := len(p)
	switch {
	case n < 126:
		b = append(b, 0x81, byte(n))
	case n <= 0xffff:
		b = append(b, 0x81, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x81, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, p...)
}
