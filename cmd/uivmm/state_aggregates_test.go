package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
)

// TestStateOfServerAndInstance folds a server's and an instance's streams
// to a position ("what did this instance look like at 14:02?").
func TestStateOfServerAndInstance(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: "state-test"}
	mk := func(typ string, v any) eventstore.EventData {
		data, _ := json.Marshal(v)
		return eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: data, Metadata: meta}
	}
	if _, err := env.App.Store.Append(ctx, server.Stream(9), eventstore.NoStream(), mk(server.TypeAdded, server.Added{ServerID: 9,
		UserID: 3, Host: "127.0.0.1", Port: 18443, Protocol: "lxd", Provider: "lxd", CertFingerprint: "ab", ClientFingerprint: "cd",
		TrustMethod: "password", At: 1})); err != nil {
		t.Fatal(err)
	}
	// One append: the instance reactor, which acts on a request while the
	// instance is still being created, finds it created already (appended
	// apart, its failure to reach server 9 could come in between).
	res, err := env.App.Store.Append(ctx, instance.Stream(5), eventstore.NoStream(),
		mk(instance.TypeRequested, instance.Requested{InstanceID: 5, ServerID: 9, UserID: 3,
			Spec: instance.Spec{Name: "web", Type: "container", Image: "busybox", Profiles: []string{"default"}}, RequestID: "r", At: 2}),
		mk(instance.TypeStarted, instance.Started{InstanceID: 5, ServerID: 9, Name: "web", Status: "running", At: 3}))
	if err != nil {
		t.Fatal(err)
	}
	requested := res.Position - 1 // an append's events have consecutive positions

	state := func(args ...string) map[string]any {
		t.Helper()
		out, err := cli(t, env, append([]string{"state"}, args...)...)
		if err != nil {
			t.Fatalf("state %v: %v\n%s", args, err, out)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("state output %q: %v", out, err)
		}
		st, _ := doc["state"].(map[string]any)
		return st
	}
	if st := state("server", "9"); st["server_host"] != "127.0.0.1" || st["user_id"] != float64(3) {
		t.Fatalf("server state %v", st)
	}
	if st := state("--at", fmt.Sprint(requested), "instance", "5"); st["creating"] != true || st["instance_name"] != "web" {
		t.Fatalf("instance at %d: %v", requested, st)
	}
	if st := state("instance", "5"); st["creating"] != false || st["instance_status"] != "running" {
		t.Fatalf("instance now: %v", st)
	}
}
