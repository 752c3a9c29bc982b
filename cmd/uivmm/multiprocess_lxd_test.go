package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

func lxdEnv(t *testing.T) (host string, port int, password string) {
	t.Helper()
	d := testdaemon.FromEnv(t)
	return d.Host, d.Port, d.Password
}

// TestTwoProcessesActOnLXDOnce: two processes share a store and the LXD
// client identity; only the lease holder acts on LXD; a change asked of
// either is applied once; killing the holder hands the work over.
func TestTwoProcessesActOnLXDOnce(t *testing.T) {
	host, port, password := lxdEnv(t)
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	shared := "sqlite:" + filepath.Join(dir, "shared", "events.db")
	extra := "event_store: {url: \"" + shared + "\"}\nlxd: {lease_ttl: 2s}\n"
	// Every replica presents the same LXD client certificate.
	for _, d := range []string{"a", "b"} {
		if _, err := lxd.LoadOrCreateIdentity(filepath.Join(dir, "id")); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, d, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{lxd.IdentityCertFile, lxd.IdentityKeyFile} {
			b, _ := os.ReadFile(filepath.Join(dir, "id", f))
			if err := os.WriteFile(filepath.Join(dir, d, "data", f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := startServe(t, bin, filepath.Join(dir, "a"), extra)
	b := startServe(t, bin, filepath.Join(dir, "b"), extra)
	cmd := exec.Command(bin, "user", "add", "--event-store", shared, "--data-dir", filepath.Join(dir, "cli"),
		"--login", "root", "--email", "root@example.com", "--group", "1", "--password-stdin")
	cmd.Stdin = strings.NewReader("root-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	var tok string
	within(t, 2*time.Second, "admin visible", func() bool {
		st, doc := call(t, a, "user.login", "", map[string]any{"user_login": "root", "user_password": "root-password"})
		if st == 200 {
			tok, _ = doc["data"].(map[string]any)["attributes"].(map[string]any)["token"].(string)
		}
		return tok != ""
	})
	st, doc := call(t, a, "server.add", tok, map[string]any{"server_host": host, "server_port": port, "server_password": password,
		"server_protocol": "lxd", "provider": "lxd"})
	if st != 200 {
		t.Fatalf("server.add: %d %v", st, doc)
	}
	serverID := doc["data"].(map[string]any)["id"]

	holder, other := leaseHolder(t, a, b)
	// The token was issued on a; b learns it from the shared log.
	within(t, 2*time.Second, "the token known to both", func() bool {
		sa, _ := call(t, a, "user.get", tok, nil)
		sb, _ := call(t, b, "user.get", tok, nil)
		return sa == 200 && sb == 200
	})
	within(t, 2*time.Second, "the server known to both", func() bool {
		for _, c := range []*child{a, b} {
			st, doc := call(t, c, "server.list", tok, nil)
			if items, _ := doc["data"].([]any); st != 200 || len(items) != 1 {
				return false
			}
		}
		return true
	})
	profile := "mp-" + uuid.NewString()[:8]
	update := func(c *child, desc string) string {
		reqID := uuid.NewString()
		body := fmt.Sprintf("config: {}\ndescription: %s\ndevices: {}\nname: %s\n", desc, profile)
		st, doc := call(t, c, "profile.update", tok, map[string]any{"server_id": serverID, "provider": "lxd",
			"profile_name": profile, "profile_body": body, "request_id": reqID})
		if st != 200 {
			t.Fatalf("profile.update via %s: %d %v", c.addr, st, doc)
		}
		return reqID
	}
	defer call(t, other, "profile.delete", tok, map[string]any{"server_id": serverID, "provider": "lxd", "profile_name": profile})
	r1 := update(other, "asked-of-the-non-holder")
	// The holder dies without a word; the other must take the lease over.
	if err := holder.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r2 := update(other, "after-the-holder-died")
	t.Logf("a change after the holder was killed was applied after %s", time.Since(start))
	if !strings.Contains(other.logs(), "reactor lease acquired") {
		t.Fatalf("the survivor never took the lease:\n%s", other.logs())
	}
	// Each request has exactly one outcome in the log.
	store, err := app.OpenStore(context.Background(), shared)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	outcomes := map[string]int{}
	recs, err := store.ReadAll(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Type == server.TypeProfileUpdated || r.Type == server.TypeProfileUpdateFailed {
			outcomes[r.Metadata.RequestID]++
		}
	}
	for _, id := range []string{r1, r2} {
		if outcomes[id] != 1 {
			t.Fatalf("request %s has %d outcomes", id, outcomes[id])
		}
	}
}

// leaseHolder waits until one of the two logs the lease, and returns it
// first.
func leaseHolder(t *testing.T, a, b *child) (holder, other *child) {
	t.Helper()
	within(t, 10*time.Second, "a reactor lease holder", func() bool {
		return strings.Contains(a.logs(), "reactor lease acquired") || strings.Contains(b.logs(), "reactor lease acquired")
	})
	if strings.Contains(a.logs(), "reactor lease acquired") {
		return a, b
	}
	return b, a
}
