package stream

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/domain"
)

// Methods returns the hub's API methods, for api.Deps.Extra:
// event.subscribe (no auth needed; GET or POST; SSE or WebSocket) and
// event.auth (bearer token).
func (h *Hub) Methods() map[string]api.Method {
	return map[string]api.Method{
		"event.subscribe": {Name: "event.subscribe", Auth: api.AuthOptional, GET: true, Raw: h.subscribe},
		"event.auth":      {Name: "event.auth", Auth: api.AuthRequired, JSON: h.auth},
	}
}

// auth binds {stream} to the caller and answers ack:event; the stream
// gets an event.auth message with the call's request_id.
func (h *Hub) auth(ctx context.Context, c *api.Call) (api.Document, error) {
	var in struct {
		Stream string `json:"stream"`
	}
	if err := c.Decode(&in); err != nil {
		return api.Document{}, err
	}
	if in.Stream == "" {
		return api.Document{}, domain.Invalid("stream", domain.DetailFieldRequired)
	}
	if err := h.Bind(in.Stream, principalOf(c), c.Meta.RequestID); err != nil {
		return api.Document{}, err
	}
	return api.Ack("event", 0), nil
}

func principalOf(c *api.Call) *Principal {
	if c.User == nil {
		return nil
	}
	return &Principal{ID: c.User.ID, Login: c.User.Login, Group: c.User.Group}
}

// subscribe serves event.subscribe: a WebSocket for an Upgrade
// handshake, Server-Sent Events otherwise.
func (h *Hub) subscribe(w http.ResponseWriter, r *http.Request, c *api.Call) {
	id, err := streamParam(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if api.BearerToken(r) != "" && c.User == nil {
		writeError(w, domain.Unauthorized("token not found"))
		return
	}
	after, err := resumePoint(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if r.Method == http.MethodHead {
		h.head(w, id)
		return
	}
	s, err := h.attach(id, after, principalOf(c))
	if err != nil {
		writeError(w, err)
		return
	}
	defer h.detach(s)
	if isUpgrade(r) {
		conn, bc, err := acceptWS(w, r, h.cfg.WriteTimeout)
		if err != nil {
			return // Accept has answered
		}
		defer conn.CloseNow()
		ctx := conn.CloseRead(r.Context())
		s.serve(ctx, &wsTransport{c: conn, bc: bc, pingTimeout: max(10*h.cfg.PingInterval, 10*time.Second)})
		return
	}
	t, ctx, finish := startSSE(r.Context(), w, r, h.cfg.WriteTimeout)
	defer finish()
	s.serve(ctx, t)
}

func (h *Hub) head(w http.ResponseWriter, id string) {
	h.mu.Lock()
	_, ok := h.streams[id]
	h.mu.Unlock()
	if !ok {
		writeError(w, errStreamNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
}

// streamParam reads the stream id from the query, or from a POST body.
func streamParam(r *http.Request) (string, error) {
	id := r.URL.Query().Get("stream")
	if id == "" && r.Method == http.MethodPost && r.Body != nil {
		var in struct {
			Stream string `json:"stream"`
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 4<<10))
		_ = json.Unmarshal(b, &in)
		id = in.Stream
	}
	if id == "" {
		return "", domain.Invalid("stream", domain.DetailFieldRequired)
	}
	if len(id) > 128 {
		return "", errStreamNotFound
	}
	return id, nil
}

// resumePoint reads Last-Event-ID (what EventSource sends on reconnect)
// or ?from: an exclusive position. nil means none was given.
func resumePoint(r *http.Request) (*uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("from")
	}
	if v == "" {
		return nil, nil
	}
	p, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return nil, domain.Invalid("from", "the resume position must be a non-negative integer")
	}
	return &p, nil
}

func isUpgrade(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

var kindStatus = map[domain.Kind]int{
	domain.KindInvalid: http.StatusBadRequest, domain.KindUnauthorized: http.StatusUnauthorized,
	domain.KindNotFound: http.StatusNotFound,
}

// writeError answers a stream request that cannot start, in the API's
// error envelope.
func writeError(w http.ResponseWriter, err error) {
	de, ok := domain.As(err)
	if !ok {
		de = &domain.Error{Kind: domain.KindInternal, Detail: "internal error"}
	}
	status := kindStatus[de.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	body, _ := marshal(map[string]any{"errors": []map[string]string{{
		"status": strconv.Itoa(status), "code": de.Kind.String(), "detail": de.Detail}}})
	w.Header().Set("Content-Type", api.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
