package lxdtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// throwawayDaemon starts a second, private LXD daemon with the project's
// script (its own state directory, port and address-less bridge), so the
// fault test can stop it without disturbing anyone using the shared one.
// It is removed when the test ends.
func throwawayDaemon(t *testing.T) (daemon, int) {
	t.Helper()
	script, err := filepath.Abs("../../scripts/lxd-testenv.sh")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	root := filepath.Join(os.TempDir(), "uivmm-lxd-fault-"+hex.EncodeToString(b))
	env := append(os.Environ(), "UIVMM_LXD_ROOT="+root, "UIVMM_LXD_PORT="+strconv.Itoa(closedPort(t)),
		"UIVMM_LXD_BRIDGE=uivmmf"+hex.EncodeToString(b))
	run := func(ctx context.Context, arg string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, script, arg)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return out, fmt.Errorf("%s %s: %w\n%s", script, arg, err, stderr.String())
		}
		return out, nil
	}
	t.Cleanup(func() {
		if pid, ok := daemonPID(root); ok {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if _, err := run(ctx, "down"); err != nil {
			t.Errorf("removing the throw-away daemon: %v", err)
		}
		_ = os.Remove(root + ".lock")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := run(ctx, "up")
	if err != nil {
		t.Fatalf("starting a throw-away LXD daemon: %v", err)
	}
	vars := map[string]string{}
	for _, f := range strings.Fields(strings.TrimPrefix(strings.TrimSpace(string(out)), "export ")) {
		if k, v, ok := strings.Cut(f, "="); ok {
			vars[k] = v
		}
	}
	d := testdaemon.From(t, func(k string) string { return vars[k] })
	pid, ok := daemonPID(root)
	if !ok {
		t.Fatalf("no lxd process for %s", root)
	}
	return d, pid
}

// daemonPID is the pid the script recorded, if it is still an lxd.
func daemonPID(root string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(root, "lxd.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || strings.TrimSpace(string(comm)) != "lxd" {
		return 0, false
	}
	return pid, processAlive(pid)
}

func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	_, rest, _ := strings.Cut(string(b), ") ")
	return rest != "" && rest[0] != 'Z'
}

// timed calls method and returns the answer and how long it took.
func timed(h *harness, method, token string, body any) (apptest.Response, time.Duration) {
	start := time.Now()
	r := h.Call(method, token, body)
	return r, time.Since(start)
}

func TestFaultDaemonStopsDuringCalls(t *testing.T) {
	d, pid := throwawayDaemon(t)
	const lxdTimeout = 2 * time.Second
	h := startOn(t, d, func(c *config.Config) {
		c.LXD.Timeout.Duration = lxdTimeout
		c.HTTP.CommandTimeout.Duration = 10 * time.Second
	})
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	prof := name("uivmm-f")
	update := func(desc string) map[string]any {
		return on(id, "profile_name", prof, "profile_body", profileBody(prof, desc))
	}
	wantAck(t, h.Call("profile.update", alice, update("warm")), "profile")
	h.MustOK("server.get", alice, on(id))
	bound := 2*lxdTimeout + 2*time.Second

	// Frozen: every call times out within the bound, with 504.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stopping the daemon: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	for _, c := range []struct {
		method string
		body   map[string]any
	}{{"server.get", on(id)}, {"image.list", on(id)}, {"profile.list", on(id)}, {"profile.update", update("frozen")}} {
		r, took := timed(h, c.method, alice, c.body)
		wantError(t, r, 504, "did not answer in time")
		if took > bound {
			t.Errorf("%s took %s against a frozen daemon, bound %s", c.method, took, bound)
		}
		t.Logf("%s against a frozen daemon: %d in %s", c.method, r.Status, took.Round(time.Millisecond))
	}

	// A frozen host holds up no other: while a change waits on it, a
	// change on another server (the shared daemon) goes through.
	shared := testDaemon(t)
	t.Cleanup(func() { shared.Untrust(t, h.App.LXD.Identity.Fingerprint()) })
	other := h.MustOK("server.add", alice, map[string]any{"server_host": shared.Host, "server_port": shared.Port,
		"server_password": shared.Password, "server_protocol": "lxd", "provider": "lxd"}).ID()
	otherProf := name("uivmm-g")
	t.Cleanup(func() { _ = shared.Admin(t).DeleteProfile(otherProf) })
	frozen := make(chan apptest.Response, 1)
	go func() { frozen <- h.Call("profile.update", alice, update("frozen again")) }()
	time.Sleep(200 * time.Millisecond)
	r, took := timed(h, "profile.update", alice, on(other, "profile_name", otherProf, "profile_body", profileBody(otherProf, "x")))
	wantAck(t, r, "profile")
	if took > lxdTimeout/2 {
		t.Errorf("a change on a healthy server took %s while another host was frozen", took)
	}
	t.Logf("profile.update on a healthy server while another is frozen: %s", took.Round(time.Millisecond))
	wantError(t, <-frozen, 504, "did not answer in time")

	// Killed while a call waits on it: 502 (or 504), within the bound.
	done := make(chan apptest.Response, 1)
	go func() { r, _ := timed(h, "profile.delete", alice, on(id, "profile_name", prof)); done <- r }()
	time.Sleep(lxdTimeout / 3)
	killedAt := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing the daemon: %v", err)
	}
	select {
	case r := <-done:
		if r.Status != 502 && r.Status != 504 || r.Detail() == "" {
			t.Errorf("a call cut by the kill answered %d: %s", r.Status, r.Raw)
		}
		t.Logf("profile.delete cut by the kill: %d %q, %s after the kill", r.Status, r.Detail(), time.Since(killedAt).Round(time.Millisecond))
	case <-time.After(bound):
		t.Fatalf("the call cut by the kill did not answer within %s", bound)
	}

	// Gone: unreachable, at once.
	for _, c := range []struct {
		method string
		body   map[string]any
	}{{"server.get", on(id)}, {"network.list", on(id)}, {"profile.update", update("gone")}, {"certificate.revoke",
		on(id, "certificate_fingerprint", strings.Repeat("0", 64))}} {
		r, took := timed(h, c.method, alice, c.body)
		wantError(t, r, 502, "unreachable")
		if took > bound {
			t.Errorf("%s took %s against a dead daemon", c.method, took)
		}
		t.Logf("%s against a dead daemon: %d in %s", c.method, r.Status, took.Round(time.Millisecond))
	}

	// Nothing half-recorded: every request has its outcome, a failure.
	evs := h.settled(t, id, 10*time.Second)
	checkOutcomes(t, evs, map[string]int{"server:profile_update_requested": 4, "server:profile_updated": 1,
		"server:profile_update_failed": 3, "server:profile_delete_requested": 1, "server:profile_delete_failed": 1,
		"server:certificate_revoke_requested": 1, "server:certificate_revoke_failed": 1})
	for _, ev := range evs {
		if strings.HasSuffix(ev.Type, "_failed") && !strings.Contains(string(ev.Data), `"kind":"timeout"`) &&
			!strings.Contains(string(ev.Data), `"kind":"upstream"`) {
			t.Errorf("failure %s: %s", ev.Type, ev.Data)
		}
	}
}
