package identitytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// from returns a client whose requests come from the loopback address ip
// (any 127.x.y.z works on Linux), so tests can play several clients.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// loginFrom calls user.login from client c.
func loginFrom(t *testing.T, e *apptest.Env, c *http.Client, login, password string) apptest.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"user_login": login, "user_password": password})
	resp, err := c.Post(e.URL+"/api/v1/user.login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apptest.Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Doc)
	return r
}

func wantThrottled(t *testing.T, e *apptest.Env, r apptest.Response) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, "")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > int(e.Config.Auth.FailedLoginWindow.Seconds()) {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
}

// TestLoginThrottle: after MaxFailedLogins failures for one login, or from
// one address, logins are refused with 429 and Retry-After, even with the
// right password; other logins and other addresses are not affected.
func TestLoginThrottle(t *testing.T) {
	const limit = 3
	e := apptest.Start(t, func(c *config.Config) { c.Auth.MaxFailedLogins = limit })
	e.AddUser("alice", 4)
	e.AddUser("bob", 4)
	alicePW, bobPW := apptest.Password("alice"), apptest.Password("bob")

	t.Run("per login", func(t *testing.T) {
		for i, ip := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.2"} {
			wantError(t, loginFrom(t, e, from(ip), "alice", "wrong password "+strconv.Itoa(i)), 400, detailWrongCred)
		}
		wantThrottled(t, e, loginFrom(t, e, from("127.0.0.4"), "alice", alicePW))
		wantThrottled(t, e, loginFrom(t, e, from("127.0.0.4"), "ALICE", alicePW))
		if r := loginFrom(t, e, from("127.0.0.4"), "bob", bobPW); r.Status != 200 {
			t.Fatalf("bob is throttled too: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("per address", func(t *testing.T) {
		attacker := from("127.0.0.5")
		for _, name := range []string{"nobody1", "nobody2", "nobody3"} {
			wantError(t, loginFrom(t, e, attacker, name, "guess"), 404, "user not found")
		}
		wantThrottled(t, e, loginFrom(t, e, attacker, "bob", bobPW))
		if r := loginFrom(t, e, from("127.0.0.6"), "bob", bobPW); r.Status != 200 {
			t.Fatalf("another address is throttled too: %d %s", r.Status, r.Raw)
		}
	})
}
