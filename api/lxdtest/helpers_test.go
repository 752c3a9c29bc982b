package lxdtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/lxd"
)

const upHint = "start the test daemon with `eval \"$(scripts/lxd-testenv.sh up)\"` (or run `make test`)"

// daemon is an LXD daemon started by scripts/lxd-testenv.sh.
type daemon struct {
	Dir      string // its LXD_DIR, with unix.socket
	Host     string
	Port     int
	Password string
	Image    string // alias of the busybox image
	Files    string // the image files and manifest.env
	Bridge   string
	Pool     string
}

// testDaemon reads the shared test daemon's settings and checks that it
// answers. It fails the test, never skips it.
func testDaemon(t testing.TB) daemon {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("%s is not set: %s", k, upHint)
		}
		return v
	}
	d := daemon{Dir: get("UIVMM_TEST_LXD_DIR"), Password: get("UIVMM_TEST_LXD_PASSWORD"), Image: get("UIVMM_TEST_LXD_IMAGE"),
		Files: get("UIVMM_TEST_LXD_FILES"), Bridge: get("UIVMM_TEST_LXD_BRIDGE"), Pool: os.Getenv("UIVMM_TEST_LXD_POOL")}
	if d.Pool == "" {
		d.Pool = "default"
	}
	d.parseAddr(t, get("UIVMM_TEST_LXD_ADDR"))
	d.probe(t)
	return d
}

func (d *daemon) parseAddr(t testing.TB, addr string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("LXD address %q is not host:port: %v", addr, err)
	}
	d.Host = host
	if d.Port, err = strconv.Atoi(port); err != nil {
		t.Fatalf("LXD address %q: bad port: %v", addr, err)
	}
}

func (d daemon) probe(t testing.TB) {
	t.Helper()
	if _, err := lxd.Probe(context.Background(), d.Host, d.Port, 5*time.Second); err != nil {
		t.Fatalf("the test LXD at %s:%d is unreachable: %v; %s", d.Host, d.Port, err, upHint)
	}
}

// admin is a client of the daemon over its unix socket, for setting up
// what the test needs and checking what uivmm did.
func (d daemon) admin(t testing.TB) lxdclient.InstanceServer {
	t.Helper()
	c, err := lxdclient.ConnectLXDUnix(filepath.Join(d.Dir, "unix.socket"), nil)
	if err != nil {
		t.Fatalf("connecting to %s/unix.socket: %v", d.Dir, err)
	}
	return c
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
	t.Cleanup(func() { untrust(t, d, fp) })
	return h
}

// untrust removes fingerprint fp from d's trust store, if it is there.
func untrust(t testing.TB, d daemon, fp string) {
	c, err := lxdclient.ConnectLXDUnix(filepath.Join(d.Dir, "unix.socket"), nil)
	if err != nil {
		return // the daemon is gone (the fault test stops its own)
	}
	if err := c.DeleteCertificate(fp); err != nil && !lxdapi.StatusErrorCheck(err, http.StatusNotFound) {
		t.Errorf("cleanup: removing certificate %s: %v", fp[:12], err)
	}
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
