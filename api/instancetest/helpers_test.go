package instancetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// daemon is the test daemon (lxd/testdaemon).
type daemon = testdaemon.Daemon

// harness is a running uivmm with the daemon added as a server of user.
type harness struct {
	*apptest.Env
	lxd    daemon
	userID int64
	token  string
	server int64
	halt   string // a profile that makes busybox init power off on a graceful stop
}

// start runs uivmm against the test daemon, adds a user (group 4) and
// the daemon as their server. When the test ends, the test's containers
// and profile are deleted and uivmm's certificate is untrusted.
func start(t testing.TB, mods ...func(*config.Config)) *harness {
	t.Helper()
	d := testdaemon.FromEnv(t)
	e := apptest.Start(t, mods...)
	h := &harness{Env: e, lxd: d}
	fp := e.App.LXD.Identity.Fingerprint()
	t.Cleanup(func() { d.Untrust(t, fp) })
	h.userID, h.token = e.AddUser(name("alice"), 4)
	h.server = h.addServer(t, h.token)
	h.halt = haltProfile(t, d)
	return h
}

// restart stops uivmm and starts it again on the same data directory.
func (h *harness) restart(t testing.TB) {
	t.Helper()
	cfg := h.Config
	h.Env.Stop()
	h.Env = apptest.StartWith(t, cfg)
}

func (h *harness) addServer(t testing.TB, token string) int64 {
	t.Helper()
	r := h.MustOK("server.add", token, map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port,
		"server_password": h.lxd.Password, "server_protocol": "lxd", "provider": "lxd"})
	if r.ID() <= 0 {
		t.Fatalf("server.add answered no id: %s", r.Raw)
	}
	return r.ID()
}

// haltProfile makes a profile under which busybox init powers off on
// SIGUSR2, so graceful stops and restarts work; it is deleted at the end.
func haltProfile(t testing.TB, d daemon) string {
	t.Helper()
	p := name("uivmm-it-halt")
	c := d.Admin(t)
	if err := c.CreateProfile(lxdapi.ProfilesPost{Name: p, ProfilePut: lxdapi.ProfilePut{
		Config: map[string]string{"raw.lxc": "lxc.signal.halt = SIGUSR2"}}}); err != nil {
		t.Fatalf("creating profile %s: %v", p, err)
	}
	t.Cleanup(func() { _ = d.Admin(t).DeleteProfile(p) })
	return p
}

// removeLater deletes container n (if it is still there) when the test ends.
func removeLater(t testing.TB, d daemon, n string) {
	t.Cleanup(func() { removeContainer(d.Admin(t), n) })
}

func removeContainer(c lxdclient.InstanceServer, n string) {
	if op, err := c.UpdateInstanceState(n, lxdapi.InstanceStatePut{Action: "stop", Force: true}, ""); err == nil {
		_ = op.Wait()
	}
	if op, err := c.DeleteInstance(n); err == nil {
		_ = op.Wait()
	}
}

// name is a unique name for a test object.
func name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// on is a body naming the harness's server plus extra fields.
func (h *harness) on(kv ...any) map[string]any {
	m := map[string]any{"server_id": h.server, "provider": "lxd"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// addBody is a valid instance.add body for container n.
func (h *harness) addBody(n string, kv ...any) map[string]any {
	b := h.on("instance_name", n, "instance_type", "container", "image_server_host", "", "instance_image", h.lxd.Image,
		"instance_profiles", "default,"+h.halt, "instance_memory", "64", "instance_cpu", "1", "instance_command", "",
		"instance_interface", "", "instance_network", "", "instance_nameserver", "", "instance_dhcp", false,
		"request_id", newRequestID())
	for i := 0; i+1 < len(kv); i += 2 {
		b[kv[i].(string)] = kv[i+1]
	}
	return b
}

func newRequestID() string { return name("req") }

// get returns instance.get's attributes of n, or nil with the status.
func (h *harness) get(n string) (map[string]any, int) {
	r := h.Call("instance.get", h.token, h.on("instance_name", n))
	if r.Status != http.StatusOK {
		return nil, r.Status
	}
	return r.Attrs(), r.Status
}

// waitStatus polls instance.get until n shows want ("" = n is gone) and
// returns how long that took; it fails after timeout.
func (h *harness) waitStatus(t testing.TB, n, want string, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		a, status := h.get(n)
		switch {
		case want == "" && status == http.StatusNotFound:
			return time.Since(start)
		case want != "" && a != nil && a["instance_status"] == want:
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("instance %s: status %v (http %d) after %s, want %q", n, a["instance_status"], status, timeout, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stream returns the events of the instance n of the harness's server,
// from the store: every stream whose first event names it.
func (h *harness) stream(t testing.TB, n string) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	streams := map[string]bool{}
	for _, ev := range h.Events() {
		if !strings.HasPrefix(ev.Stream, "instance-") {
			continue
		}
		if ev.Revision == 0 {
			var first struct {
				ServerID int64  `json:"server_id"`
				Name     string `json:"name"`
			}
			_ = json.Unmarshal(ev.Data, &first)
			streams[ev.Stream] = first.ServerID == h.server && first.Name == n
		}
		if streams[ev.Stream] {
			out = append(out, ev)
		}
	}
	return out
}

// waitEvent waits until n's history holds an event matching match and
// returns it with the time waited.
func (h *harness) waitEvent(t testing.TB, n string, timeout time.Duration, what string,
	match func(eventstore.RecordedEvent) bool) (eventstore.RecordedEvent, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		for _, ev := range h.stream(t, n) {
			if match(ev) {
				return ev, time.Since(start)
			}
		}
		if time.Since(start) > timeout {
			t.Fatalf("instance %s: no %s within %s; history:\n%s", n, what, timeout, history(h.stream(t, n)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func history(evs []eventstore.RecordedEvent) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "  %d %s %s actor=%s/%s req=%s cmd=%s %s\n", ev.Position, ev.Stream, ev.Type, ev.Metadata.ActorKind,
			ev.Metadata.ActorName, ev.Metadata.RequestID, ev.Metadata.Command, ev.Data)
	}
	return b.String()
}

// outcomeOf waits for the outcome event of request rid on n.
func (h *harness) outcomeOf(t testing.TB, n, rid string, timeout time.Duration) eventstore.RecordedEvent {
	t.Helper()
	ev, _ := h.waitEvent(t, n, timeout, "outcome of "+rid, func(ev eventstore.RecordedEvent) bool {
		return ev.Metadata.RequestID == rid && ev.Metadata.ActorKind == eventstore.ActorSystem &&
			(ev.Metadata.Command == "instance.add" || ev.Metadata.Command == "instance.action")
	})
	return ev
}

// lxdStatus is the instance's status as LXD reports it, lower case.
func (h *harness) lxdStatus(t testing.TB, n string) string {
	t.Helper()
	in, _, err := h.lxd.Admin(t).GetInstance(n)
	if err != nil {
		t.Fatalf("GetInstance(%s): %v", n, err)
	}
	return strings.ToLower(in.Status)
}

func dataOf(ev eventstore.RecordedEvent) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(ev.Data, &m)
	return m
}

var _ = instance.TypeRequested
