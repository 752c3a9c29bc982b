package instancetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/projections"
)

func newSSHKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " alice@laptop"
}

// TestAddStartsTheInstance: instance.add answers at once with "operation
// created"; the reactor creates and starts the container with the
// owner's SSH keys and the command in cloud-init and the limits asked
// for; every outcome carries the request id and its cause; list and get
// show the contract's attributes.
func TestAddStartsTheInstance(t *testing.T) {
	h := start(t)
	key := newSSHKey(t)
	h.MustOK("ssh-key.add", h.token, map[string]any{"key_name": "laptop", "key_public": key})
	n := name("uivmm-it")
	removeLater(t, h.lxd, n)
	rid := newRequestID()
	// The network config is only text for cloud-init inside the container
	// (busybox has none, and the default profile has no NIC).
	r := h.MustOK("instance.add", h.token, h.addBody(n, "request_id", rid, "instance_command", "echo hello > /tmp/hi",
		"instance_memory", "96", "instance_cpu", "1", "instance_interface", "eth0", "instance_network", "10.10.10.20/24",
		"instance_nameserver", "8.8.8.8"))
	if a := r.Attrs(); a["request_id"] != rid || a["instance_status"] != "operation created" || r.ID() <= 0 {
		t.Fatalf("instance.add answered %s", r.Raw)
	}
	h.waitStatus(t, n, "running", 60*time.Second)

	evs := h.stream(t, n)
	types := make([]string, len(evs))
	for i, ev := range evs {
		types[i] = ev.Type
	}
	want := []string{instance.TypeRequested, instance.TypeCreated, instance.TypeStarted}
	if !slices.Equal(types, want) {
		t.Fatalf("history %v, want %v:\n%s", types, want, history(evs))
	}
	req := evs[0]
	if req.Metadata.ActorKind != eventstore.ActorUser || req.Metadata.ActorID != h.userID || req.Metadata.RequestID != rid {
		t.Errorf("request event metadata %+v", req.Metadata)
	}
	for _, ev := range evs[1:] {
		m := ev.Metadata
		if m.RequestID != rid || m.CausationID != req.ID || m.ActorKind != eventstore.ActorSystem {
			t.Errorf("%s: metadata %+v, want request id %s and causation %s", ev.Type, m, rid, req.ID)
		}
	}
	if evs[2].Metadata.Command != "instance.add" {
		t.Errorf("the outcome's command is %q, want instance.add (the stream message type)", evs[2].Metadata.Command)
	}

	raw, _, err := h.lxd.Admin(t).GetInstance(n)
	if err != nil {
		t.Fatal(err)
	}
	ud := raw.Config["cloud-init.user-data"] + raw.Config["user.user-data"]
	if !strings.HasPrefix(ud, "#cloud-config\n") || !strings.Contains(ud, key) || !strings.Contains(ud, "ssh_authorized_keys") ||
		!strings.Contains(ud, "runcmd") || !strings.Contains(ud, "echo hello > /tmp/hi") {
		t.Errorf("cloud-init user data:\n%s", ud)
	}
	nc := raw.Config["cloud-init.network-config"] + raw.Config["user.network-config"]
	if !strings.Contains(nc, "eth0") || !strings.Contains(nc, "10.10.10.20/24") || !strings.Contains(nc, "8.8.8.8") {
		t.Errorf("cloud-init network config:\n%s", nc)
	}
	if raw.Config[projections.MarkKey] != strconv.FormatInt(r.ID(), 10) {
		t.Errorf("the instance is not marked as uivmm's instance %d: %v", r.ID(), raw.Config)
	}
	if raw.Config["limits.memory"] != "96MiB" || raw.Config["limits.cpu"] != "1" {
		t.Errorf("limits %q %q", raw.Config["limits.memory"], raw.Config["limits.cpu"])
	}

	list := h.MustOK("instance.list", h.token, h.on()).List()
	var item map[string]any
	for _, it := range list {
		if a, _ := it["attributes"].(map[string]any); a["instance_name"] == n {
			item = it
		}
	}
	if item == nil || int64(item["id"].(float64)) != r.ID() {
		t.Fatalf("instance.list lacks %s (id %d): %v", n, r.ID(), list)
	}
	la := item["attributes"].(map[string]any)
	for k, v := range map[string]any{"provider": "lxd", "instance_type": "container", "instance_status": "running",
		"instance_arch": "amd64", "instance_image_os": "busybox"} {
		if la[k] != v {
			t.Errorf("list %s = %v, want %v", k, la[k], v)
		}
	}
	if la["instance_image_version"] == "" {
		t.Errorf("list has no image version: %v", la)
	}
	a, _ := h.get(n)
	devices, _ := a["instance_devices"].(map[string]any)
	if a["instance_memory"] != "96MiB" || a["instance_cpu"] != "1" || a["instance_profiles"] != "default,"+h.halt ||
		devices["root"] == nil {
		t.Errorf("instance.get = %v", a)
	}
}

// TestAddRefusesBadInput: every bad field is a 400 naming it, and
// nothing is recorded or made.
func TestAddRefusesBadInput(t *testing.T) {
	h := start(t)
	for _, tc := range []struct {
		name   string
		change []any
		field  string
	}{
		{"no name", []any{"instance_name", ""}, "instance_name"},
		{"name with underscore", []any{"instance_name", "bad_name"}, "instance_name"},
		{"name is a number", []any{"instance_name", "42"}, "instance_name"},
		{"bad type", []any{"instance_type", "vm"}, "instance_type"},
		{"no image", []any{"instance_image", ""}, "instance_image"},
		{"image server not a url", []any{"image_server_host", "ftp://example.com"}, "image_server_host"},
		{"no profiles", []any{"instance_profiles", " , "}, "instance_profiles"},
		{"bad profile", []any{"instance_profiles", "a/b"}, "instance_profiles"},
		{"memory not a number", []any{"instance_memory", "lots"}, "instance_memory"},
		{"negative memory", []any{"instance_memory", "-5"}, "instance_memory"},
		{"cpu not a number", []any{"instance_cpu", "two"}, "instance_cpu"},
		{"network without prefix", []any{"instance_network", "10.0.0.5"}, "instance_network"},
		{"bad nameserver", []any{"instance_nameserver", "dns.example"}, "instance_nameserver"},
		{"bad interface", []any{"instance_interface", "eth 0"}, "instance_interface"},
		{"no server", []any{"server_id", nil}, "server_id"},
		{"other provider", []any{"provider", "qemu"}, "provider"},
		{"dhcp not a boolean", []any{"instance_dhcp", "yes"}, "instance_dhcp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := name("uivmm-bad")
			r := h.Call("instance.add", h.token, h.addBody(n, tc.change...))
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Raw)
			}
			errs, _ := r.Doc["errors"].([]any)
			e0, _ := errs[0].(map[string]any)
			src, _ := e0["source"].(map[string]any)
			if src["pointer"] != "/"+tc.field || r.Detail() == "" {
				t.Errorf("error %v, want a detail and pointer /%s", e0, tc.field)
			}
			if _, _, err := h.lxd.Admin(t).GetInstance(n); err == nil {
				t.Errorf("LXD has %s", n)
			}
		})
	}
	for _, ev := range h.Events() {
		if strings.HasPrefix(ev.Stream, "instance-") && ev.Type == instance.TypeRequested {
			if d := dataOf(ev); strings.HasPrefix(d["name"].(string), "uivmm-bad") {
				t.Errorf("bad input recorded %s", history([]eventstore.RecordedEvent{ev}))
			}
		}
	}
}

// TestSomeoneElsesServerIsNotFound: bob cannot use alice's server (404
// for every instance method); a privileged user can.
func TestSomeoneElsesServerIsNotFound(t *testing.T) {
	h := start(t)
	_, bob := h.AddUser(name("bob"), 4)
	n := name("uivmm-it")
	for method, body := range map[string]map[string]any{
		"instance.add":    h.addBody(n),
		"instance.list":   h.on(),
		"instance.get":    h.on("instance_name", n),
		"instance.action": h.on("instance_name", n, "instance_status", "start"),
	} {
		r := h.Call(method, bob, body)
		if r.Status != http.StatusNotFound || r.Detail() != "server not found" {
			t.Errorf("%s by another user: %d %s, want 404 server not found", method, r.Status, r.Raw)
		}
	}
	r := h.Call("instance.list", h.token, h.on("server_id", 999999))
	if r.Status != http.StatusNotFound {
		t.Errorf("instance.list of an unknown server: %d %s", r.Status, r.Raw)
	}
	_, admin := h.AddUser(name("root"), 1)
	h.MustOK("instance.list", admin, h.on())
	if r := h.Call("instance.get", h.token, h.on("instance_name", n)); r.Status != http.StatusNotFound ||
		r.Detail() != instance.DetailNotFound {
		t.Errorf("instance.get of an unknown instance: %d %s", r.Status, r.Raw)
	}
	if r := h.Call("instance.action", h.token, h.on("instance_name", n, "instance_status", "start")); r.Status != http.StatusNotFound {
		t.Errorf("instance.action on an unknown instance: %d %s", r.Status, r.Raw)
	}
}

// TestFailingCreateLeavesAFailure: an image LXD does not have gives a
// Failed event with LXD's reason and the request id; the read model shows
// "error", LXD has nothing, deleting it works and frees the name.
func TestFailingCreateLeavesAFailure(t *testing.T) {
	h := start(t)
	n := name("uivmm-it")
	removeLater(t, h.lxd, n)
	rid := newRequestID()
	h.MustOK("instance.add", h.token, h.addBody(n, "request_id", rid, "instance_image", "no-such-image"))
	out := h.outcomeOf(t, n, rid, 30*time.Second)
	d := dataOf(out)
	if out.Type != instance.TypeFailed || d["stage"] != instance.StageCreate || d["reason"] == "" {
		t.Fatalf("outcome %s", history([]eventstore.RecordedEvent{out}))
	}
	t.Logf("LXD's reason: %v", d["reason"])
	h.waitStatus(t, n, "error", 5*time.Second)
	a, _ := h.get(n)
	if a["instance_reason"] != d["reason"] {
		t.Errorf("instance.get reason %v, want %v", a["instance_reason"], d["reason"])
	}
	if _, _, err := h.lxd.Admin(t).GetInstance(n); err == nil {
		t.Fatalf("LXD has %s after a failed create", n)
	}
	if r := h.Call("instance.add", h.token, h.addBody(n)); r.Status != http.StatusConflict {
		t.Errorf("adding a taken name: %d %s", r.Status, r.Raw)
	}
	del := newRequestID()
	h.MustOK("instance.action", h.token, h.on("instance_name", n, "instance_status", "delete", "request_id", del))
	if out := h.outcomeOf(t, n, del, 30*time.Second); out.Type != instance.TypeActionSucceeded {
		t.Fatalf("delete outcome %s", history([]eventstore.RecordedEvent{out}))
	}
	h.waitStatus(t, n, "", 5*time.Second)
	h.MustOK("instance.add", h.token, h.addBody(n))
	h.waitStatus(t, n, "running", 60*time.Second)
}
