package lxdtest

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/lxd"
)

func closedPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

func TestServerVerify(t *testing.T) {
	h := start(t)
	_, tok := h.user("alice", 4)
	body := func(port any, secret string) map[string]any {
		return map[string]any{"server_host": h.lxd.Host, "server_port": port, "server_password": secret,
			"server_protocol": "lxd", "provider": "lxd"}
	}
	wantAck(t, h.Call("server.verify", tok, body(h.lxd.Port, h.lxd.Password)), "server")
	wantAck(t, h.Call("server.verify", tok, body(strconv.Itoa(h.lxd.Port), h.lxd.Password)), "server")
	wantError(t, h.Call("server.verify", tok, body(h.lxd.Port, "not-the-password")), 400, "refused the trust password")
	wantError(t, h.Call("server.verify", tok, body(closedPort(t), h.lxd.Password)), 502, "unreachable")
	wantError(t, h.Call("server.verify", tok, body("x", h.lxd.Password)), 400, "the port must be numeric")

	// Nothing changed: uivmm is not trusted, nothing is recorded. (The
	// throw-away certificate of a password check is removed again; other
	// tests share the daemon, so its trust store is not compared.)
	if len(trusted(t, h.lxd, h.App.LXD.Identity.Fingerprint())) != 0 {
		t.Error("server.verify made the host trust uivmm")
	}
	for _, ev := range h.Events() {
		if strings.HasPrefix(ev.Type, "server:") || strings.HasPrefix(ev.Stream, "claim-server") {
			t.Errorf("server.verify recorded %s on %s", ev.Type, ev.Stream)
		}
	}
}

func TestServerAddWithPassword(t *testing.T) {
	h := start(t)
	aliceID, alice := h.user("alice", 4)
	_, bob := h.user("bob", 4)
	id := h.addServer(t, alice, "")

	// The secret is used, never recorded.
	var added int
	for _, ev := range h.Events() {
		if strings.Contains(string(ev.Data), h.lxd.Password) {
			t.Errorf("event %s holds the trust password", ev.Type)
		}
		if ev.Type == "server:added" {
			added++
			for _, want := range []string{`"trust_method":"password"`, `"user_id":` + strconv.FormatInt(aliceID, 10),
				`"client_fingerprint":"` + h.App.LXD.Identity.Fingerprint() + `"`, "BEGIN CERTIFICATE"} {
				if !strings.Contains(string(ev.Data), want) {
					t.Errorf("server:added lacks %s: %s", want, ev.Data)
				}
			}
		}
	}
	if added != 1 {
		t.Fatalf("%d server:added events, want 1", added)
	}
	if strings.Contains(h.Logs.String(), h.lxd.Password) {
		t.Errorf("the log holds the trust password")
	}
	// uivmm's key is kept with mode 0600 and never in an event.
	for _, f := range []string{lxd.IdentityCertFile, lxd.IdentityKeyFile} {
		st, err := os.Stat(filepath.Join(h.DataDir, f))
		if err != nil || st.Mode().Perm() != fs.FileMode(0o600) {
			t.Errorf("%s: %v, mode %v", f, err, st.Mode().Perm())
		}
	}
	for _, ev := range h.Events() {
		if strings.Contains(string(ev.Data), "PRIVATE KEY") {
			t.Errorf("event %s holds a private key", ev.Type)
		}
	}

	// One host and port once, whoever asks; the original detail.
	body := map[string]any{"server_host": h.lxd.Host, "server_port": strconv.Itoa(h.lxd.Port),
		"server_password": h.lxd.Password, "server_protocol": "lxd", "provider": "lxd"}
	wantError(t, h.Call("server.add", alice, body), 409, "server with this host and port already added")
	wantError(t, h.Call("server.add", bob, body), 409, "server with this host and port already added")

	list := h.MustOK("server.list", alice, map[string]any{}).List()
	if len(list) != 1 || asInt(list[0]["id"]) != id || asInt(attrs(list[0])["server_port"]) != int64(h.lxd.Port) ||
		attrs(list[0])["server_protocol"] != "lxd" || asInt(attrs(list[0])["server_id"]) != id {
		t.Fatalf("server.list = %v", list)
	}
}

func TestServerAddWithToken(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	tok := token(t, h.lxd.Admin(t), name("uivmm-token"))
	wantError(t, h.Call("server.verify", alice, map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port,
		"server_password": "bm90IGEgdG9rZW4=", "server_protocol": "lxd"}), 400, "refused")
	// verify does not spend a token; add does.
	wantAck(t, h.Call("server.verify", alice, map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port,
		"server_password": tok, "server_protocol": "lxd"}), "server")
	id := h.addServer(t, alice, tok)
	found := false
	for _, ev := range h.serverEvents(id) {
		if ev.Type == "server:added" {
			found = strings.Contains(string(ev.Data), `"trust_method":"token"`)
			if strings.Contains(string(ev.Data), tok) {
				t.Errorf("server:added holds the token")
			}
		}
	}
	if !found {
		t.Fatal("server:added does not say the token was used")
	}
	h.MustOK("server.get", alice, on(id))
}

func TestServerAddRefusals(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	good := func(kv ...any) map[string]any {
		m := map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port, "server_password": h.lxd.Password,
			"server_protocol": "lxd", "provider": "lxd"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		detail string
	}{
		{"provider qemu", good("provider", "qemu"), 400, "provider is not supported"},
		{"protocol other", good("server_protocol", "incus"), 400, "protocol is not supported"},
		{"url as host", good("server_host", "https://"+h.lxd.Host), 400, "host name or an ip address"},
		{"host with port", good("server_host", h.lxd.Host+":8443"), 400, "host name or an ip address"},
		{"no host", good("server_host", ""), 400, "this field must be filled in"},
		{"port not numeric", good("server_port", "84x3"), 400, "the port must be numeric"},
		{"port out of range", good("server_port", 70000), 400, "between 1 and 65535"},
		{"no password", good("server_password", ""), 400, "this field must be filled in"},
		{"wrong password", good("server_password", "wrong"), 400, "refused the trust password"},
		{"closed port", good("server_port", closedPort(t)), 502, "unreachable"},
		{"token of another server", good("server_password", foreignToken(t)), 502, "certificate has changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.Call("server.add", alice, tc.body), tc.status, tc.detail)
		})
	}
	for _, ev := range h.Events() {
		if strings.HasPrefix(ev.Type, "server:") {
			t.Errorf("a refused add recorded %s", ev.Type)
		}
	}
	// The claims of failed adds were released: the right password works.
	h.addServer(t, alice, "")
}

// foreignToken is a well-formed trust token naming another server's
// certificate.
func foreignToken(t testing.TB) string {
	_, der := selfSignedPEM(t)
	return lxdToken(t, der)
}

func TestServerAddDisabled(t *testing.T) {
	h := start(t, func(c *config.Config) { c.DisableServerAdd = true })
	_, alice := h.user("alice", 4)
	wantError(t, h.Call("server.add", alice, map[string]any{"server_host": h.lxd.Host, "server_port": h.lxd.Port,
		"server_password": h.lxd.Password, "server_protocol": "lxd", "provider": "lxd"}), 403, "adding servers is disabled")
	if n := len(trusted(t, h.lxd, h.App.LXD.Identity.Fingerprint())); n != 0 {
		t.Fatal("a refused add trusted uivmm")
	}
}

func TestPinnedCertificateIsChecked(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	h.MustOK("server.get", alice, on(id))
	h.MustOK("profile.list", alice, on(id))

	// Another certificate pinned for the same address: the host's real
	// one no longer matches, and every call says so.
	other, _ := selfSignedPEM(t)
	if _, err := h.App.RM.W.Exec(`UPDATE servers SET cert_pem = ? WHERE id = ?`, other, id); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"server.get", "profile.list", "image.list", "certificate.list"} {
		wantError(t, h.Call(m, alice, on(id)), 502, "the server's certificate has changed")
	}
	wantError(t, h.Call("profile.delete", alice, on(id, "profile_name", name("nope"))), 502, "the server's certificate has changed")
	h.settled(t, id, 5*time.Second)
}
