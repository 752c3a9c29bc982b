package lxd

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/canonical/lxd/shared/api"
)

// Event types. EventConnected is uivmm's own: see Events.
const (
	EventLifecycle = "lifecycle"
	EventOperation = "operation"
	EventConnected = "connected"
)

// Event is one message of the host's event stream.
type Event struct {
	Type     string // EventLifecycle, EventOperation or EventConnected
	Time     time.Time
	Project  string
	Location string // cluster member, "none" when not clustered
	// Action is the lifecycle action ("instance-started") or the
	// operation's description ("Starting instance").
	Action string
	// Status is the operation's status in lower case ("running",
	// "success", "failure"); "" for lifecycle events.
	Status string
	// Source is the lifecycle source ("/1.0/instances/web") or the
	// operation's path ("/1.0/operations/<id>").
	Source string
	// Instance is the instance the event is about, or "".
	Instance string
	// Err is the error of a failed operation.
	Err string
	// Metadata is LXD's raw metadata (api.EventLifecycle or api.Operation).
	Metadata json.RawMessage
}

// Events listens to the host's event stream (GET /1.0/events) for the
// given types (nil: lifecycle and operation) and calls handler for each
// event, one at a time, in the order LXD sent them, on the calling
// goroutine: a slow handler slows the stream down.
//
// The first call of handler is always an Event of type EventConnected,
// made once the stream is live: a caller that reconciles its state then
// misses nothing in between.
//
// Events returns when ctx ends (ctx's error, wrapped) or when the
// connection drops or cannot be opened (an error matching ErrUnreachable
// or ErrTimeout), so the caller can reconnect with a backoff. It never
// returns nil.
func (s *Server) Events(ctx context.Context, types []string, handler func(Event)) error {
	const op = "listening to events"
	if handler == nil {
		return fmt.Errorf("%s: %w: no handler", op, ErrInvalid)
	}
	if len(types) == 0 {
		types = []string{EventLifecycle, EventOperation}
	}
	// The websocket dial does not use the client's context; the TLS
	// handshake is bounded by the transport, the upgrade by LXD (5 s).
	c := scoped(ctx, s.base, s.s.project)
	q := url.Values{"type": {strings.Join(types, ",")}, "project": {s.s.project}}
	conn, err := c.RawWebsocket("/events?" + q.Encode())
	if err != nil {
		return wrap(op, err)
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	handler(Event{Type: EventConnected, Time: time.Now(), Project: s.s.project})
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", op, ctx.Err())
			}
			return fmt.Errorf("%s: %w: %w", op, ErrUnreachable, err)
		}
		var ev api.Event
		if json.Unmarshal(data, &ev) != nil || ev.Type == "" {
			continue
		}
		handler(toEvent(ev))
	}
}

func toEvent(ev api.Event) Event {
	out := Event{Type: ev.Type, Time: ev.Timestamp, Project: ev.Project, Location: ev.Location, Metadata: ev.Metadata}
	switch ev.Type {
	case EventLifecycle:
		var lc api.EventLifecycle
		if json.Unmarshal(ev.Metadata, &lc) == nil {
			out.Action, out.Source = lc.Action, lc.Source
			out.Instance = instanceFromPath(lc.Source)
		}
	case EventOperation:
		var o api.Operation
		if json.Unmarshal(ev.Metadata, &o) == nil {
			out.Action, out.Status, out.Err = o.Description, strings.ToLower(o.Status), o.Err
			out.Source = "/1.0/operations/" + o.ID
			for _, key := range []string{"instances", "containers", "virtual-machines"} {
				if paths := o.Resources[key]; len(paths) > 0 {
					out.Instance = instanceFromPath(paths[0])
					break
				}
			}
		}
	}
	return out
}

// instanceFromPath extracts the name from "/1.0/instances/<name>[/...][?...]".
func instanceFromPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	for _, prefix := range []string{"/1.0/instances/", "/1.0/containers/", "/1.0/virtual-machines/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			name, _, _ := strings.Cut(rest, "/")
			if n, err := url.PathUnescape(name); err == nil {
				return n
			}
			return name
		}
	}
	return ""
}
