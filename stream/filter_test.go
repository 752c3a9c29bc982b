package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/eventstore"
)

// appendProbe writes one event straight to the store, as any writer
// would; data is its JSON data.
func appendProbe(t testing.TB, env *apptest.Env, stream, typ string, meta eventstore.Metadata, data any) eventstore.AppendResult {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Store.Append(context.Background(), stream, eventstore.Any(),
		eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: raw, Metadata: meta})
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

func TestEachUserSeesOnlyTheirOwnEvents(t *testing.T) {
	env := apptest.Start(t)
	_, aliceTok := env.AddUser("alice", 4)
	bobID, bobTok := env.AddUser("bob", 4)
	_, rootTok := env.AddUser("root", 1)
	alice := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(aliceTok))
	bob := openWS(t, streamURL(env, newStreamID(t, env), ""), bearer(bobTok))
	root := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(rootTok))

	login(env, "bob", "bob-1")
	login(env, "alice", "alice-1")
	carolID, _ := env.AddUser("carol", 4)
	// A later event on alice's token stream that names no owner, caused by
	// the system: it is still hers (the stream's first event said so).
	tokenStream := fmt.Sprintf("token-%d", tokenIDOf(t, env, "alice-1"))
	appendProbe(t, env, tokenStream, "token:revoked", eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: "alice-2"}, map[string]any{"reason": "revoke", "at": 1})
	// An event bob caused on a resource he does not own.
	appendProbe(t, env, "server-99", "test:poked", eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: bobID, RequestID: "bob-2"}, map[string]any{"owner_id": 12345})
	env.MustOK("user.logout", aliceTok, map[string]any{"request_id": "alice-3"})
	login(env, "bob", "bob-3")

	aliceGot := alice.waitFor(wait, func(m msg) bool { return m.RequestID == "alice-3" })
	bobGot := bob.waitFor(wait, func(m msg) bool { return m.RequestID == "bob-3" })
	rootGot := root.waitFor(wait, func(m msg) bool { return m.RequestID == "bob-3" })

	carolStream := fmt.Sprintf("user-%d", carolID)
	check := func(name string, got []msg, mustHave []string, mustNot func(msg) bool) {
		t.Helper()
		ids := map[string]bool{}
		for _, m := range got {
			ids[m.RequestID] = true
			if mustNot(m) {
				t.Errorf("%s saw %s %s (%s) on %s", name, m.Type, m.EventType, m.RequestID, m.Stream)
			}
		}
		for _, id := range mustHave {
			if !ids[id] {
				t.Errorf("%s missed %s; got %v", name, id, summary(got))
			}
		}
	}
	check("alice", aliceGot, []string{"alice-1", "alice-2", "alice-3"}, func(m msg) bool {
		return strings.HasPrefix(m.RequestID, "bob") || m.Stream == carolStream
	})
	check("bob", bobGot, []string{"bob-1", "bob-2", "bob-3"}, func(m msg) bool {
		return strings.HasPrefix(m.RequestID, "alice") || m.Stream == carolStream
	})
	check("root", rootGot, []string{"alice-1", "alice-2", "alice-3", "bob-1", "bob-2", "bob-3"}, func(msg) bool { return false })
	sawCarol := false
	for _, m := range rootGot {
		sawCarol = sawCarol || m.Stream == carolStream
		if strings.HasPrefix(m.Stream, "claim-") || strings.HasPrefix(m.Stream, "seq-") {
			t.Errorf("internal stream %s was sent", m.Stream)
		}
	}
	if !sawCarol {
		t.Error("a privileged user missed another user's registration")
	}
}

// tokenIDOf finds the token a request issued, from the log.
func tokenIDOf(t testing.TB, env *apptest.Env, requestID string) int64 {
	t.Helper()
	for _, rec := range env.Events() {
		if rec.Type == "token:issued" && rec.Metadata.RequestID == requestID {
			var d struct {
				TokenID int64 `json:"token_id"`
			}
			_ = json.Unmarshal(rec.Data, &d)
			return d.TokenID
		}
	}
	t.Fatalf("no token issued by %s", requestID)
	return 0
}

// After a restart the hub has not seen a token's first event; the owner
// of a later event on that stream is read from the stream itself.
func TestOwnerIsFoundAfterARestart(t *testing.T) {
	first := apptest.Start(t)
	first.AddUser("alice", 4)
	first.AddUser("bob", 4)
	login(first, "alice", "before-restart")
	tokenStream := fmt.Sprintf("token-%d", tokenIDOf(t, first, "before-restart"))
	first.Stop()

	env := apptest.StartWith(t, first.Config)
	aliceTok := login(env, "alice", "alice-again").Attrs()["token"].(string)
	bobTok := login(env, "bob", "bob-again").Attrs()["token"].(string)
	alice := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(aliceTok))
	bob := openSSE(t, streamURL(env, newStreamID(t, env), ""), bearer(bobTok))
	appendProbe(t, env, tokenStream, "token:revoked", sysMeta("revoked-by-system"), map[string]any{"reason": "revoke", "at": 1})
	login(env, "bob", "bob-marker")
	alice.waitFor(wait, func(m msg) bool { return m.RequestID == "revoked-by-system" })
	for _, m := range bob.waitFor(wait, func(m msg) bool { return m.RequestID == "bob-marker" }) {
		if m.RequestID == "revoked-by-system" {
			t.Fatal("bob saw alice's token event")
		}
	}
}
