package sqlite

import (
	"encoding/json"
	"strconv"

	"github.com/uivmm/uivmm/eventstore"
)

// decodeMetadata decodes the metadata column. The column is always written
// by json.Marshal of eventstore.Metadata, so a small scanner handles the
// common case (known keys, strings without escapes, an integer actor id)
// without reflection; anything else goes to encoding/json, which gives the
// same result. Reading the log (rebuilds, catch-up) spends much of its
// time here.
func decodeMetadata(b []byte, m *eventstore.Metadata) error {
	if fastMetadata(b, m) {
		return nil
	}
	*m = eventstore.Metadata{}
	return json.Unmarshal(b, m)
}

func fastMetadata(b []byte, m *eventstore.Metadata) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := scanString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		if i, ok = scanValue(b, skipSpace(b, i+1), key, m); !ok {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func scanValue(b []byte, i int, key string, m *eventstore.Metadata) (int, bool) {
	if key == "actor_id" {
		j := i
		for j < len(b) && (b[j] == '-' || b[j] >= '0' && b[j] <= '9') {
			j++
		}
		n, err := strconv.ParseInt(string(b[i:j]), 10, 64)
		m.ActorID = n
		return j, err == nil
	}
	var dst *string
	switch key {
	case "actor_kind":
		dst = &m.ActorKind
	case "actor_name":
		dst = &m.ActorName
	case "request_id":
		dst = &m.RequestID
	case "correlation_id":
		dst = &m.CorrelationID
	case "causation_id":
		dst = &m.CausationID
	case "client_addr":
		dst = &m.ClientAddr
	case "command":
		dst = &m.Command
	default:
		return i, false
	}
	s, j, ok := scanString(b, i)
	*dst = s
	return j, ok
}

// scanString reads a JSON string without escapes starting at b[i].
func scanString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", j, false
		}
	}
	return "", len(b), false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}
