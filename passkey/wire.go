package passkey

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// toBrowser marshals go-webauthn options and re-encodes the binary members
// named by fields from base64url to standard base64, which is what the
// front-end's atob accepts (CONTRACT.md §6). A field is a top-level key
// ("challenge"), a key of a nested object ("user.id"), or a key of every
// element of a nested array ("excludeCredentials[].id"). Missing fields are
// skipped.
func toBrowser(options any, fields ...string) (json.RawMessage, error) {
	raw, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("marshalling options: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("decoding options: %w", err)
	}
	for _, f := range fields {
		if err := recodePath(top, f); err != nil {
			return nil, fmt.Errorf("re-encoding %s: %w", f, err)
		}
	}
	out, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("marshalling options: %w", err)
	}
	return out, nil
}

// recodePath re-encodes the field at path inside obj; see toBrowser.
func recodePath(obj map[string]json.RawMessage, path string) error {
	head, rest, nested := strings.Cut(path, ".")
	if name, isList := strings.CutSuffix(head, "[]"); isList && nested {
		return recodeList(obj, name, rest)
	}
	val, ok := obj[head]
	if !ok || string(val) == "null" {
		return nil
	}
	if !nested {
		s, err := urlToStd(val)
		if err != nil {
			return err
		}
		obj[head] = s
		return nil
	}
	var child map[string]json.RawMessage
	if err := json.Unmarshal(val, &child); err != nil {
		return err
	}
	if err := recodePath(child, rest); err != nil {
		return err
	}
	return remarshal(obj, head, child)
}

// recodeList re-encodes path in every element of the array obj[name].
func recodeList(obj map[string]json.RawMessage, name, path string) error {
	val, ok := obj[name]
	if !ok || string(val) == "null" {
		return nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(val, &items); err != nil {
		return err
	}
	for _, item := range items {
		if err := recodePath(item, path); err != nil {
			return err
		}
	}
	return remarshal(obj, name, items)
}

func remarshal(obj map[string]json.RawMessage, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	obj[key] = b
	return nil
}

// urlToStd turns a JSON string holding base64url into one holding standard
// base64 with padding.
func urlToStd(val json.RawMessage) (json.RawMessage, error) {
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return nil, err
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}
