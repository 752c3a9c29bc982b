package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/eventstore"
)

// cli runs uivmm in-process on env's data directory (beside the running
// server, as an operator would).
func cli(t *testing.T, env *apptest.Env, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append(args, "--data-dir", env.DataDir), nil, &out, &errb)
	if err != nil {
		return out.String(), fmt.Errorf("%w (stderr %s)", err, errb.String())
	}
	return out.String(), nil
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var ms []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		ms = append(ms, m)
	}
	return ms
}

func countLog(env *apptest.Env, keep func(eventstore.RecordedEvent) bool) int {
	n := 0
	for _, rec := range env.Events() {
		if keep(rec) {
			n++
		}
	}
	return n
}

func TestEventsCommandListsAndFilters(t *testing.T) {
	env := apptest.Start(t)
	aliceID, aliceTok := env.AddUser("alice", 4)
	env.MustOK("user.login", "", map[string]any{"user_login": "alice", "user_password": apptest.Password("alice"), "request_id": "cli-login"})
	env.MustOK("user.logout", aliceTok, map[string]any{"request_id": "cli-logout"})
	all := env.Events()

	out, err := cli(t, env, "events")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "POSITION") || len(lines) != len(all)+1 || !strings.Contains(out, "user:registered") {
		t.Fatalf("table (%d lines for %d events):\n%s", len(lines), len(all), out)
	}
	if strings.Contains(out, "hash") {
		t.Fatalf("a secret in the table:\n%s", out)
	}

	out, err = cli(t, env, "events", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if ms := jsonLines(t, out); len(ms) != len(all) || ms[0]["position"] != float64(all[0].Position) || ms[0]["body"] == nil {
		t.Fatalf("--json: %d lines for %d events: %s", len(ms), len(all), out)
	}
	if strings.Contains(out, "hash") {
		t.Fatalf("a secret in --json:\n%s", out)
	}

	mid := all[len(all)/2]
	cases := []struct {
		name string
		args []string
		keep func(eventstore.RecordedEvent) bool
	}{
		{"type", []string{"--type", "token:issued"}, func(r eventstore.RecordedEvent) bool { return r.Type == "token:issued" }},
		{"stream", []string{"--stream", fmt.Sprintf("user-%d", aliceID)}, func(r eventstore.RecordedEvent) bool { return r.Stream == fmt.Sprintf("user-%d", aliceID) }},
		{"actor id", []string{"--actor", fmt.Sprint(aliceID)}, func(r eventstore.RecordedEvent) bool {
			return r.Metadata.ActorKind == "user" && r.Metadata.ActorID == aliceID
		}},
		{"actor name", []string{"--actor", "alice"}, func(r eventstore.RecordedEvent) bool { return r.Metadata.ActorName == "alice" }},
		{"actor kind", []string{"--actor", "anonymous"}, func(r eventstore.RecordedEvent) bool { return r.Metadata.ActorKind == "anonymous" }},
		{"request id", []string{"--request-id", "cli-login"}, func(r eventstore.RecordedEvent) bool { return r.Metadata.RequestID == "cli-login" }},
		{"positions", []string{"--from", "2", "--to", fmt.Sprint(mid.Position)}, func(r eventstore.RecordedEvent) bool {
			return r.Position >= 2 && r.Position <= mid.Position
		}},
		{"since", []string{"--since", "2000-01-01T00:00:00Z"}, func(eventstore.RecordedEvent) bool { return true }},
		{"until", []string{"--until", "2000-01-01T00:00:00Z"}, func(eventstore.RecordedEvent) bool { return false }},
		{"range", []string{"--since", time.Now().Add(-time.Hour).Format(time.RFC3339), "--until", time.Now().Add(time.Hour).Format(time.RFC3339), "--type", "token:revoked"},
			func(r eventstore.RecordedEvent) bool { return r.Type == "token:revoked" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cli(t, env, append([]string{"events", "--json"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			got, want := len(jsonLines(t, out)), countLog(env, tc.keep)
			if got != want || (tc.name != "until" && want == 0) {
				t.Fatalf("%d events, want %d (non-zero):\n%s", got, want, out)
			}
		})
	}
	if _, err := cli(t, env, "events", "--since", "yesterday"); err == nil {
		t.Error("a bad --since was accepted")
	}
	// On a stopped server's data directory.
	env.Stop()
	if out, err := cli(t, env, "events", "--json"); err != nil || len(jsonLines(t, out)) < len(all) {
		t.Fatalf("after the server stopped (%v):\n%s", err, out)
	}
}

func TestEventsFollow(t *testing.T) {
	env := apptest.Start(t)
	env.AddUser("alice", 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out apptest.SafeBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"events", "--follow", "--json", "--type", "token:issued", "--data-dir", env.DataDir}, nil, &out, &out)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"event_type":"token:issued"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the history first (AddUser's login)
	}
	deadline = time.Now().Add(10 * time.Second)
	env.MustOK("user.login", "", map[string]any{"user_login": "alice", "user_password": apptest.Password("alice"), "request_id": "followed"})
	for !strings.Contains(out.String(), `"request_id":"followed"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("follow: %v", err)
	}
	if !strings.Contains(out.String(), `"request_id":"followed"`) {
		t.Fatalf("the new event was not printed:\n%s", out.String())
	}
}

func TestStateCommandFoldsToAPoint(t *testing.T) {
	env := apptest.Start(t)
	aliceID, _ := env.AddUser("alice", 4)
	r := env.MustOK("user.login", "", map[string]any{"user_login": "alice", "user_password": apptest.Password("alice"), "request_id": "state-login"})
	var issued eventstore.RecordedEvent
	for _, rec := range env.Events() {
		if rec.Type == "token:issued" && rec.Metadata.RequestID == "state-login" {
			issued = rec
		}
	}
	time.Sleep(1100 * time.Millisecond) // so that a time splits the two events
	env.MustOK("user.logout", r.Attrs()["token"].(string), map[string]any{"request_id": "state-logout"})
	tokenID := strings.TrimPrefix(issued.Stream, "token-")

	state := func(args ...string) map[string]any {
		t.Helper()
		out, err := cli(t, env, append([]string{"state"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %s", out)
		}
		st, _ := doc["state"].(map[string]any)
		return st
	}
	if st := state("--at", fmt.Sprint(issued.Position), "token", tokenID); st["revoked"] != false || st["user_id"] != float64(aliceID) {
		t.Fatalf("token at its issue: %v", st)
	}
	if st := state("token", tokenID); st["revoked"] != true {
		t.Fatalf("token now: %v", st)
	}
	at := issued.Time.Add(500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	if st := state("token", tokenID, "--at", at); st["revoked"] != false {
		t.Fatalf("token at %s: %v", at, st)
	}
	out, err := cli(t, env, "state", "user", fmt.Sprint(aliceID))
	if err != nil || strings.Contains(out, "hash") || !strings.Contains(out, `"login": "alice"`) || !strings.Contains(out, `"has_password": true`) {
		t.Fatalf("user state (%v):\n%s", err, out)
	}
	if _, err := cli(t, env, "state", "--at", "2000-01-01T00:00:00Z", "user", fmt.Sprint(aliceID)); err == nil || !strings.Contains(err.Error(), "did not exist") {
		t.Fatalf("user before it existed: %v", err)
	}
	if _, err := cli(t, env, "state", "planet", "1"); err == nil || !strings.Contains(err.Error(), "known: ") {
		t.Fatalf("unknown aggregate: %v", err)
	}
}
