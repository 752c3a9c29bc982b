package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs `uivmm serve` with a config of its own data dir plus
// extra YAML (e.g. a shared event store).
func startServe(t *testing.T, bin, dir, extra string) *child {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("addr: 127.0.0.1:0\ndata_dir: %s\nlog: {format: json, level: info}\nmetrics: {listen: 127.0.0.1:0}\nauth: {max_failed_logins: 1000}\n%s",
		filepath.Join(dir, "data"), extra)
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(bin, "serve", "--config", cfgPath), done: make(chan error, 1)}
	c.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	ready := make(chan struct{})
	go c.readLog(pipe, ready)
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("uivmm serve did not start:\n%s", c.logs())
	}
	return c
}

func call(t *testing.T, c *child, method, token string, body any) (int, map[string]any) {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.addr+"/api/v1/"+method, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	return resp.StatusCode, doc
}

// within polls f until it returns true, failing after limit; it returns
// how long it took.
func within(t *testing.T, limit time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !f() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestTwoProcessesShareOneStore runs two uivmm processes on one SQLite
// store file with separate data directories: both serve reads and writes,
// and a write on one is visible on the other within 2 s.
func TestTwoProcessesShareOneStore(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	shared := "sqlite:" + filepath.Join(dir, "shared", "events.db")
	a := startServe(t, bin, filepath.Join(dir, "a"), "event_store: {url: \""+shared+"\"}\n")
	b := startServe(t, bin, filepath.Join(dir, "b"), "event_store: {url: \""+shared+"\"}\n")

	// A user added by the CLI, straight into the shared store.
	cmd := exec.Command(bin, "user", "add", "--event-store", shared, "--data-dir", filepath.Join(dir, "cli"),
		"--login", "olga", "--email", "olga@example.com", "--group", "4", "--password-stdin")
	cmd.Stdin = strings.NewReader("olga-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	login := func(c *child) string {
		st, doc := call(t, c, "user.login", "", map[string]any{"user_login": "olga", "user_password": "olga-password"})
		if st != 200 {
			t.Logf("login on %s: %d %v", c.addr, st, doc)
			return ""
		}
		tok, _ := doc["data"].(map[string]any)["attributes"].(map[string]any)["token"].(string)
		return tok
	}
	var tokA, tokB string
	lagA := within(t, 2*time.Second, "user visible on a", func() bool { tokA = login(a); return tokA != "" })
	_ = a.logs
	lagB := within(t, 2*time.Second, "user visible on b", func() bool { tokB = login(b); return tokB != "" })
	t.Logf("CLI write visible on a after %s, on b after %s", lagA, lagB)

	// A write on a, read on b; a token made on b, used on a.
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl olga@laptop"
	// b streams what a writes.
	seen := subscribe(t, b, tokB, "sshkey:added")
	if st, doc := call(t, a, "ssh-key.add", tokA, map[string]any{"key_name": "laptop", "key_public": key}); st != 200 {
		t.Fatalf("ssh-key.add on a: %d %v", st, doc)
	}
	lag := within(t, 2*time.Second, "key visible on b", func() bool {
		st, doc := call(t, b, "ssh-key.get", tokB, nil)
		items, _ := doc["data"].([]any)
		return st == 200 && len(items) == 1
	})
	t.Logf("write on a visible on b after %s", lag)
	select {
	case <-seen:
	case <-time.After(2 * time.Second):
		t.Fatal("b's event stream did not carry a's sshkey:added within 2s")
	}
	st, doc := call(t, b, "token.create", tokB, map[string]any{"token_lifetime": 3600, "token_revoke_all": false})
	if st != 200 {
		t.Fatalf("token.create on b: %d %v", st, doc)
	}
	apiTok, _ := doc["data"].(map[string]any)["attributes"].(map[string]any)["token"].(string)
	within(t, 2*time.Second, "b's token accepted by a", func() bool {
		st, _ := call(t, a, "user.get", apiTok, nil)
		return st == 200
	})
	// Both processes allocated ids from one sequence: no clash.
	if st, doc := call(t, b, "ssh-key.add", tokB, map[string]any{"key_name": "dup", "key_public": key}); st != 409 {
		t.Fatalf("duplicate key across processes: %d %v", st, doc)
	}
}

// subscribe opens c's SSE stream bound by token and closes the returned
// channel once a message of eventType arrives.
func subscribe(t *testing.T, c *child, token, eventType string) <-chan struct{} {
	t.Helper()
	_, doc := call(t, c, "config.get", "", nil)
	id, _ := doc["data"].(map[string]any)["attributes"].(map[string]any)["stream"].(string)
	req, _ := http.NewRequest(http.MethodGet, "http://"+c.addr+"/api/v1/event.subscribe?stream="+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("event.subscribe: %v %v", err, resp)
	}
	t.Cleanup(func() { resp.Body.Close() })
	seen := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			var msg struct {
				EventType string `json:"event_type"`
			}
			if ok && json.Unmarshal([]byte(line), &msg) == nil && msg.EventType == eventType {
				close(seen)
				return
			}
		}
	}()
	return seen
}
