package api

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Resource is one JSON:API resource object. Attributes is always present
// (an empty object at least) because the front-end's parser requires it.
type Resource struct {
	Type       string         `json:"type"`
	ID         int64          `json:"id,omitempty"`
	Attributes map[string]any `json:"attributes"`
	// Errors, when set, replaces Attributes: an included item that could
	// not be read becomes an error toast in the UI (contract §2.1 rule 6).
	Errors []ErrorObject `json:"errors,omitempty"`
}

// Document is a success body: Data is a Resource or a []Resource, never
// nil; Included is omitted when empty.
type Document struct {
	Data     any        `json:"data"`
	Included []Resource `json:"included,omitempty"`
}

// One returns a single-resource document.
func One(typ string, id int64, attrs map[string]any, included ...Resource) Document {
	if attrs == nil {
		attrs = map[string]any{}
	}
	return Document{Data: Resource{Type: typ, ID: id, Attributes: attrs}, Included: included}
}

// Many returns a list document; a nil list becomes [].
func Many(items []Resource) Document {
	if items == nil {
		items = []Resource{}
	}
	return Document{Data: items}
}

// Ack is the "done" document of calls that return nothing else.
func Ack(typ string, id int64) Document {
	return One(typ, id, map[string]any{"response": true})
}

// ContentType is the media type of every JSON response.
const ContentType = "application/vnd.api+json"

// writeJSON writes v with status; pretty indents it.
func writeJSON(w http.ResponseWriter, status int, v any, pretty bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errors":[{"status":"500","code":"internal","detail":"internal error"}]}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// MarshalJSON writes an error item as {"type", "errors"}, without
// attributes; other resources as they are.
func (r Resource) MarshalJSON() ([]byte, error) {
	type plain Resource
	if len(r.Errors) == 0 {
		return json.Marshal(plain(r))
	}
	return json.Marshal(struct {
		Type   string        `json:"type"`
		Errors []ErrorObject `json:"errors"`
	}{r.Type, r.Errors})
}
