package lxdtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// daemon is the test daemon (lxd/testdaemon).
type daemon = testdaemon.Daemon

// testDaemon reads the shared test daemon's settings and checks that it
// answers. It fails the test, never skips it. These tests also need the
// image files and the bridge.
func testDaemon(t testing.TB) daemon {
	t.Helper()
	d := testdaemon.FromEnv(t)
	if d.Files == "" || d.Bridge == "" {
		t.Fatalf("UIVMM_TEST_LXD_FILES and UIVMM_TEST_LXD_BRIDGE must be set: %s", testdaemon.UpHint)
	}
	return d
}

// harness is a running uivmm plus the daemon it is tested against.
type harness struct {
	*apptest.Env
	lxd daemon
}

// start runs uivmm against the shared daemon. When the test ends,
// uivmm's certificate is removed from the daemon's trust store.
func start(t testing.TB, mods ...func(*config.Config)) *harness {
	t.Helper()
	return startOn(t, testDaemon(t), mods...)
}

func startOn(t testing.TB, d daemon, mods ...func(*config.Config)) *harness {
	t.Helper()
	e := apptest.Start(t, mods...)
	h := &harness{Env: e, lxd: d}
	fp := e.App.LXD.Identity.Fingerprint()
	t.Cleanup(func() { d.Untrust(t, fp) })
	return h
}

// user adds a user and returns its id and token.
func (h *harness) user(login string, group int) (int64, string) {
	return h.AddUser(login, group)
}

// addServer adds the daemon for token's user with secret (the trust
// password when ""), and returns the server id.
func (h *harness) addServer(t testing.TB, token, secret string) int64 {
	t.Helper()
	if secret == "" {
		secret = h.lxd.Password
	}
	r := h.MustOK("server.add", token, map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port,
		"server_password": secret, "server_protocol": "lxd", "provider": "lxd"})
	id := r.ID()
	if id <= 0 || asInt(r.Attrs()["server_id"]) != id {
		t.Fatalf("server.add answered no id: %s", r.Raw)
	}
	return id
}

// on is a body naming server id plus extra fields.
func on(id int64, kv ...any) map[string]any {
	m := map[string]any{"server_id": id, "provider": "lxd"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func asInt(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// wantError fails unless r is an error answer with status and a detail
// containing want ("" = any non-empty detail).
func wantError(t testing.TB, r apptest.Response, status int, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if got := r.Detail(); got == "" || !strings.Contains(got, want) {
		t.Fatalf("detail %q, want %q: %s", got, want, r.Raw)
	}
	if _, hasData := r.Doc["data"]; hasData {
		t.Fatalf("an error answer carries data: %s", r.Raw)
	}
}

// wantAck fails unless r is an ack of type typ.
func wantAck(t testing.TB, r apptest.Response, typ string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	d, _ := r.Doc["data"].(map[string]any)
	if d["type"] != typ || r.Attrs()["response"] != true {
		t.Fatalf("not an ack:%s: %s", typ, r.Raw)
	}
}

// byAttr returns the list items whose attribute k equals v.
func byAttr(items []map[string]any, k string, v any) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		a, _ := it["attributes"].(map[string]any)
		if a[k] == v {
			out = append(out, it)
		}
	}
	return out
}

func attrs(item map[string]any) map[string]any {
	a, _ := item["attributes"].(map[string]any)
	return a
}

// checkIDs fails unless every item has a positive id, unique per type.
func checkIDs(t testing.TB, items []map[string]any) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range items {
		if it["errors"] != nil {
			continue
		}
		id := asInt(it["id"])
		key := fmt.Sprint(it["type"], "/", id)
		if id <= 0 || seen[key] {
			t.Fatalf("item id %v of type %v is not positive and unique: %v", it["id"], it["type"], it)
		}
		if _, ok := it["attributes"].(map[string]any); !ok {
			t.Fatalf("item without attributes: %v", it)
		}
		seen[key] = true
	}
}

// included returns the included items of r.
func included(r apptest.Response) []map[string]any {
	raw, _ := r.Doc["included"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// ofType returns the items of type typ.
func ofType(items []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if it["type"] == typ {
			out = append(out, it)
		}
	}
	return out
}
