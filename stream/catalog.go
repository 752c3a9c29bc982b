package stream

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/eventstore"
)

// OwnerFunc names the user who owns the resource an event is about.
// data is the event's sanitised data. ok is false when the event alone
// does not say; the hub then tries data.user_id / data.owner_id and the
// owner learnt from the stream's earlier events.
type OwnerFunc func(rec eventstore.RecordedEvent, data map[string]any) (userID int64, ok bool)

// Renderer builds what an event's message body carries. data is the
// sanitised event data; renderers must add no secret.
type Renderer func(rec eventstore.RecordedEvent, data map[string]any) Rendered

// Rendered is a Renderer's result: the body is {"data": Resource}, or
// {"errors": Errors} when Errors is set (a failed job, in the API's error
// shape).
type Rendered struct {
	Resource api.Resource
	Errors   []api.ErrorObject
}

// Kind describes the streams whose name starts with Prefix + "-" (for
// example "user" for user-7).
type Kind struct {
	Prefix string
	// Type is the JSON:API type of the kind's resources ("ssh-key").
	Type string
	// Owner resolves ownership; nil uses only the generic rules.
	Owner OwnerFunc
	// Hidden kinds (claims, id sequences) are bookkeeping: they are never
	// sent on the live stream (the history tools still list them).
	Hidden bool
}

// Catalog knows the stream kinds and the per-event-type renderers. Build
// it with NewCatalog, extend it at wiring time (AddKind, AddRenderer),
// then treat it as read-only: it is safe for concurrent reads.
type Catalog struct {
	kinds     map[string]Kind
	renderers map[string]Renderer
}

// NewCatalog returns a catalog with uivmm's built-in kinds (user, token,
// sshkey, credential, server, instance, product; hidden: claim, seq,
// lease) and renderers for the user, token, ssh key and instance events.
// Other event types work with the generic rules until a renderer is
// registered for them.
func NewCatalog() *Catalog {
	c := &Catalog{kinds: map[string]Kind{}, renderers: map[string]Renderer{}}
	c.AddKind(Kind{Prefix: "user", Type: "user", Owner: ownerFromStreamID})
	c.AddKind(Kind{Prefix: "token", Type: "token"})
	c.AddKind(Kind{Prefix: "sshkey", Type: "ssh-key"})
	c.AddKind(Kind{Prefix: "server", Type: "server"})
	c.AddKind(Kind{Prefix: "instance", Type: "instance"})
	c.AddKind(Kind{Prefix: "credential", Type: "credential"})
	c.AddKind(Kind{Prefix: "product", Type: "simplestream"})
	c.AddKind(Kind{Prefix: "claim", Type: "claim", Hidden: true})
	c.AddKind(Kind{Prefix: "seq", Type: "sequence", Hidden: true})
	c.AddKind(Kind{Prefix: "lease", Type: "lease", Hidden: true})
	c.AddRenderer("user:registered", renderUserRegistered)
	c.AddRenderer("token:issued", renderTokenIssued)
	c.AddRenderer("token:revoked", renderTokenRevoked)
	c.AddRenderer("sshkey:added", renderSSHKeyAdded)
	addInstanceRenderers(c) // instances.go
	return c
}

// AddKind adds or replaces the kind of k.Prefix.
func (c *Catalog) AddKind(k Kind) { c.kinds[k.Prefix] = k }

// AddRenderer sets the renderer of one event type.
func (c *Catalog) AddRenderer(eventType string, r Renderer) { c.renderers[eventType] = r }

// kindOf returns the kind of a stream name (its text before the first
// "-"); unknown prefixes get a visible kind whose type is the prefix.
func (c *Catalog) kindOf(stream string) Kind {
	prefix, _, _ := strings.Cut(stream, "-")
	if k, ok := c.kinds[prefix]; ok {
		return k
	}
	return Kind{Prefix: prefix, Type: prefix}
}

// streamID returns the numeric suffix of a stream name ("user-7" → 7).
func streamID(stream string) (int64, bool) {
	i := strings.LastIndexByte(stream, '-')
	if i < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(stream[i+1:], 10, 64)
	return id, err == nil && id > 0
}

// body renders rec's body document: the event type's renderer, or the
// generic one (type from the stream kind, id from the stream name,
// attributes the sanitised data).
func (c *Catalog) body(rec eventstore.RecordedEvent, data map[string]any) any {
	r, ok := c.renderers[rec.Type]
	if !ok {
		id, _ := streamID(rec.Stream)
		attrs := make(map[string]any, len(data))
		for k, v := range data {
			attrs[k] = v
		}
		return map[string]any{"data": api.Resource{Type: c.kindOf(rec.Stream).Type, ID: id, Attributes: attrs}}
	}
	out := r(rec, data)
	if len(out.Errors) > 0 {
		return map[string]any{"errors": out.Errors}
	}
	if out.Resource.Attributes == nil {
		out.Resource.Attributes = map[string]any{}
	}
	return map[string]any{"data": out.Resource}
}

func ownerFromStreamID(rec eventstore.RecordedEvent, _ map[string]any) (int64, bool) {
	return streamID(rec.Stream)
}

// intField reads an integer field of sanitised data.
func intField(data map[string]any, name string) (int64, bool) {
	switch v := data[name].(type) {
	case json.Number:
		i, err := v.Int64()
		return i, err == nil && i > 0
	case float64:
		return int64(v), v > 0
	case int64:
		return v, v > 0
	}
	return 0, false
}

func renderUserRegistered(rec eventstore.RecordedEvent, d map[string]any) Rendered {
	id, _ := streamID(rec.Stream)
	return Rendered{Resource: api.Resource{Type: "user", ID: id, Attributes: map[string]any{
		"login": d["login"], "email": d["email"], "group": d["group"], "password_locked": false,
	}}}
}

func renderTokenIssued(rec eventstore.RecordedEvent, d map[string]any) Rendered {
	id, _ := streamID(rec.Stream)
	return Rendered{Resource: api.Resource{Type: "token", ID: id, Attributes: map[string]any{
		"token_id": id, "token_name": d["name"], "token_state": 1, "token_type": d["kind"],
		"token_time_start": d["start_at"], "token_time_expire": d["expires_at"], "revoke_time": 0,
		"user_id": d["user_id"],
	}}}
}

func renderTokenRevoked(rec eventstore.RecordedEvent, d map[string]any) Rendered {
	id, _ := streamID(rec.Stream)
	return Rendered{Resource: api.Resource{Type: "token", ID: id, Attributes: map[string]any{
		"token_id": id, "token_state": 0, "revoke_time": d["at"],
	}}}
}

func renderSSHKeyAdded(rec eventstore.RecordedEvent, d map[string]any) Rendered {
	id, _ := streamID(rec.Stream)
	return Rendered{Resource: api.Resource{Type: "ssh-key", ID: id, Attributes: map[string]any{
		"id": id, "key_type": "ssh", "key_name": d["name"], "key_public": d["public"],
		"key_timeadd": d["at"], "user_id": d["user_id"], "provider": "internal",
	}}}
}
