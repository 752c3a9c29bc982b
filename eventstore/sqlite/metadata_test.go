package sqlite

import (
	"encoding/json"
	"testing"

	"github.com/uivmm/uivmm/eventstore"
)

// TestDecodeMetadataMatchesJSON: the fast path and encoding/json agree on
// every input, including the ones the fast path declines.
func TestDecodeMetadataMatchesJSON(t *testing.T) {
	full := eventstore.Metadata{ActorID: 42, ActorKind: "user", ActorName: "alice", RequestID: "r-1",
		CorrelationID: "c", CausationID: "x", ClientAddr: "127.0.0.1", Command: "ssh-key.add"}
	marshalled, _ := json.Marshal(full)
	cases := map[string]string{
		"marshalled":  string(marshalled),
		"empty":       `{}`,
		"negative id": `{"actor_id":-1,"actor_kind":"system"}`,
		"escapes":     `{"actor_name":"a\"b\\c\u00e9","actor_kind":"user"}`,
		"unicode":     `{"actor_name":"żółw","request_id":"ü"}`,
		"unknown key": `{"actor_kind":"user","appended_at":123}`,
		"spaces":      "{ \"actor_id\" : 7 , \"command\" : \"x\" }",
		"null value":  `{"actor_name":null}`,
		"float id":    `{"actor_id":1.5}`,
		"nested":      `{"actor_kind":{"a":1}}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			var want, got eventstore.Metadata
			wantErr := json.Unmarshal([]byte(in), &want)
			gotErr := decodeMetadata([]byte(in), &got)
			if (wantErr == nil) != (gotErr == nil) || want != got {
				t.Fatalf("json: %+v %v; fast: %+v %v", want, wantErr, got, gotErr)
			}
		})
	}
	var bad eventstore.Metadata
	if decodeMetadata([]byte(`{"actor_id":`), &bad) == nil {
		t.Fatal("truncated metadata accepted")
	}
}
