package lxdtest

import (
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
)

func TestServerGetShape(t *testing.T) {
	h := start(t)
	aliceID, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")

	r := h.MustOK("server.get", alice, on(id))
	d, _ := r.Doc["data"].(map[string]any)
	a := r.Attrs()
	if d["type"] != "server" || r.ID() != id || asInt(a["server_id"]) != id || asInt(a["user_id"]) != aliceID {
		t.Fatalf("server.get data = %s", r.Raw)
	}
	if types, _ := a["server_supported_instance_types"].(string); !strings.Contains(types, "container") {
		t.Errorf("server_supported_instance_types = %q", types)
	}
	if a["server_certificate_fingerprint"] != h.App.LXD.Identity.Fingerprint() {
		t.Errorf("server_certificate_fingerprint = %v, want uivmm's own", a["server_certificate_fingerprint"])
	}
	for _, k := range []string{"server_host", "server_port", "server_protocol", "provider", "server_addresses",
		"server_cpu_cores", "server_cpu_threads", "server_cpu_model", "server_cpu_vendor", "server_driver",
		"server_driver_version", "server_kernel_architecture", "server_kernel_version", "server_memory_total",
		"server_memory_used", "server_server", "server_server_version", "server_storage", "server_storage_version"} {
		if _, ok := a[k]; !ok {
			t.Errorf("server.get lacks %s", k)
		}
	}
	if asInt(a["server_memory_total"]) <= 0 || asInt(a["server_cpu_threads"]) <= 0 || a["server_server"] != "lxd" {
		t.Errorf("server.get resources: %v", a)
	}

	inc := included(r)
	checkIDs(t, inc)
	for _, typ := range []string{"profile", "certificate", "pool"} {
		if len(ofType(inc, typ)) == 0 {
			t.Errorf("server.get included has no %s: %s", typ, r.Raw)
		}
	}
	if len(byAttr(ofType(inc, "profile"), "profile_name", "default")) != 1 {
		t.Errorf("no default profile in %v", ofType(inc, "profile"))
	}
	if len(byAttr(ofType(inc, "certificate"), "certificate_fingerprint", h.App.LXD.Identity.Fingerprint())) != 1 {
		t.Errorf("uivmm's certificate is not among %v", ofType(inc, "certificate"))
	}
	for _, it := range inc {
		if it["errors"] != nil {
			t.Errorf("a part failed: %v", it)
		}
	}

	// Ids are stable from call to call, and the lists agree with them.
	// (Others share the daemon: compare what both answers hold.)
	again := included(h.MustOK("server.get", alice, on(id)))
	sameIDs(t, idsByType(inc), idsByType(again))
	profiles := h.MustOK("profile.list", alice, on(id)).List()
	sameIDs(t, idsByType(profiles), idsByType(inc))
}

// sameIDs fails unless everything both maps name has one id, and a
// default profile is among them.
func sameIDs(t testing.TB, a, b map[string]map[string]int64) {
	t.Helper()
	common := 0
	for typ, names := range a {
		for n, id := range names {
			if other, ok := b[typ][n]; ok {
				common++
				if other != id {
					t.Errorf("%s %s: id %d, then %d", typ, n, id, other)
				}
			}
		}
	}
	if _, ok := a["profile"]["default"]; !ok || common == 0 {
		t.Errorf("nothing to compare: %v / %v", a, b)
	}
}

// idsByType maps type → name attribute → id.
func idsByType(items []map[string]any) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, it := range items {
		typ, _ := it["type"].(string)
		a := attrs(it)
		key := ""
		for _, k := range []string{"profile_name", "certificate_fingerprint", "volume_name", "instance_name"} {
			if v, ok := a[k].(string); ok && key == "" {
				key = v
			}
		}
		if typ == "pool" {
			key, _ = a["pool_name"].(string)
		}
		if typ == "volume" {
			key = a["pool_name"].(string) + "/" + a["volume_type"].(string) + "/" + key
		}
		if out[typ] == nil {
			out[typ] = map[string]int64{}
		}
		out[typ][key] = asInt(it["id"])
	}
	return out
}

func TestOwnership(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	_, bob := h.user("bob", 4)
	_, root := h.user("root", 1)
	id := h.addServer(t, alice, "")

	if l := h.MustOK("server.list", bob, map[string]any{}).List(); len(l) != 0 {
		t.Errorf("bob sees alice's servers: %v", l)
	}
	if l := h.MustOK("server.list", root, map[string]any{}).List(); len(l) != 1 {
		t.Errorf("a group-1 user sees %d servers, want 1", len(l))
	}
	if l := h.MustOK("server.list", alice, map[string]any{"server_id": id + 1}).List(); len(l) != 0 {
		t.Errorf("the server_id filter let through %v", l)
	}
	prof := name("uivmm-own")
	for _, tc := range []struct {
		method string
		body   map[string]any
	}{
		{"server.get", on(id)}, {"profile.list", on(id)}, {"certificate.list", on(id)}, {"image.list", on(id)},
		{"image.serverList", on(id)}, {"network.list", on(id)}, {"pool.list", on(id)}, {"volume.list", on(id)},
		{"profile.update", on(id, "profile_name", prof, "profile_body", "name: "+prof+"\n")},
		{"profile.delete", on(id, "profile_name", "default")},
		{"image.delete", on(id, "image_fingerprint", strings.Repeat("ab", 32))},
		{"certificate.revoke", on(id, "certificate_fingerprint", strings.Repeat("ab", 32))},
	} {
		wantError(t, h.Call(tc.method, bob, tc.body), 404, "server not found")
		if tc.method == "server.get" || tc.method == "profile.list" {
			wantError(t, h.Call(tc.method, alice, on(id+100)), 404, "server not found")
			h.MustOK(tc.method, root, tc.body)
		}
	}
	// A group-1 user manages anyone's server.
	wantAck(t, h.Call("profile.update", root, on(id, "profile_name", prof, "profile_body", "name: "+prof+"\n")), "profile")
	wantAck(t, h.Call("profile.delete", root, on(id, "profile_name", prof)), "profile")
	for _, ev := range h.serverEvents(id) {
		if strings.HasSuffix(ev.Type, "_requested") && ev.Metadata.ActorName == "bob" {
			t.Errorf("bob's refused call recorded %s", ev.Type)
		}
	}
	h.settled(t, id, 5e9)
}

// TestIDsSurviveARestart: the ids of things on a host, and the server
// itself, are the same after uivmm restarts on its data directory; the
// pinned certificate and the client identity are kept too.
func TestIDsSurviveARestart(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	before := idsByType(included(h.MustOK("server.get", alice, on(id))))
	fp := h.App.LXD.Identity.Fingerprint()
	h.Stop()

	again := apptest.StartWith(t, h.Config)
	if again.App.LXD.Identity.Fingerprint() != fp {
		t.Fatal("the client identity changed across a restart")
	}
	tok := login(t, again, "alice")
	after := idsByType(included(again.MustOK("server.get", tok, on(id))))
	sameIDs(t, before, after)
}

// login logs a user of an earlier run in again.
func login(t testing.TB, e *apptest.Env, user string) string {
	t.Helper()
	r := e.MustOK("user.login", "", map[string]any{"user_login": user, "user_password": apptest.Password(user)})
	tok, _ := r.Attrs()["token"].(string)
	return tok
}
