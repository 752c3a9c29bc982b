package stream

import (
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain"
)

// NewStreamID registers a new stream id, to be opened within OpenTTL
// (api.Streams, used by config.get).
func (h *Hub) NewStreamID() string {
	id := uuid.NewString()
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.streams) >= h.cfg.MaxStreams {
		h.sweepLocked(now, true)
	}
	h.streams[id] = &streamState{deadline: now.Add(h.cfg.OpenTTL)}
	return id
}

// sweepLocked forgets expired ids without a connection; force also drops
// unexpired ones until a tenth of the room is free.
func (h *Hub) sweepLocked(now time.Time, force bool) {
	for id, st := range h.streams {
		if st.sub == nil && now.After(st.deadline) {
			delete(h.streams, id)
		}
	}
	for id, st := range h.streams {
		if !force || len(h.streams) < h.cfg.MaxStreams*9/10 {
			return
		}
		if st.sub == nil {
			delete(h.streams, id)
		}
	}
}

// authEvent is the message event.auth sends on the stream it binds.
func authEvent(requestID string) *event {
	line, _ := marshal(Message{Type: "event.auth", RequestID: requestID,
		Body: `{"data":{"type":"event","attributes":{"response":true}}}`})
	return framed(&event{requestID: requestID, line: line, synthetic: true, held: requestID != ""})
}

// errStreamNotFound answers unknown (or expired) stream ids.
var errStreamNotFound = domain.NotFound("stream not found")

// attach opens a connection on stream id, replacing an older connection
// on the same id (an EventSource reconnecting before the server noticed
// the old one drop). after is the resume checkpoint; nil means "from
// now". p binds at once when not nil.
func (h *Hub) attach(id string, after *uint64, p *Principal) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.streams[id]
	if st == nil || h.closed {
		return nil, errStreamNotFound
	}
	if st.sub != nil {
		// A binding belongs to a connection: the new one needs its own.
		st.sub.stop(reasonReplaced)
		h.removeLocked(st.sub)
		st.principal = nil
	}
	s := newSubscriber(h, id, h.cfg.Buffer)
	s.group = h.nextGrp
	h.nextGrp = (h.nextGrp + 1) % flushGroups
	s.after = h.last.Load()
	if after != nil {
		s.after = *after
	}
	if p != nil {
		st.principal = p
	}
	if st.principal != nil {
		s.principal.Store(st.principal)
		s.notifyBound()
	}
	if st.pending != nil {
		s.offer([]*event{st.pending})
		st.pending = nil
	}
	st.sub = s
	h.cfg.OnSubscribers(1)
	subs := append(append([]*subscriber(nil), *h.subs.Load()...), s)
	h.subs.Store(&subs)
	return s, nil
}

// detach ends s's registration; the binding ends with it, and the id may
// be reopened within OpenTTL.
func (h *Hub) detach(s *subscriber) {
	h.cfg.OnSubscribers(-1)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
	if st := h.streams[s.streamID]; st != nil && st.sub == s {
		st.sub, st.principal = nil, nil
		st.deadline = time.Now().Add(h.cfg.OpenTTL)
	}
}

func (h *Hub) removeLocked(s *subscriber) {
	old := *h.subs.Load()
	subs := make([]*subscriber, 0, len(old))
	for _, x := range old {
		if x != s {
			subs = append(subs, x)
		}
	}
	h.subs.Store(&subs)
}

// Bind binds stream id to p (event.auth) and sends an event.auth message
// with requestID on it. The last binding wins.
func (h *Hub) Bind(id string, p *Principal, requestID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.streams[id]
	if st == nil {
		return errStreamNotFound
	}
	st.principal = p
	ev := authEvent(requestID)
	if st.sub == nil {
		st.pending = ev
		return nil
	}
	st.sub.principal.Store(p)
	st.sub.notifyBound()
	st.sub.offer([]*event{ev})
	return nil
}
