// Package identitytest holds the integration tests of issue 3 (identity:
// users, mailed codes, tokens, SSH keys) against a running uivmm started
// by apptest. It has no non-test code.
package identitytest

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/uivmm/uivmm/app/apptest"
)

// Details the tests expect, as the contract spells them.
const (
	detailTokenNotFound = "token not found"
	detailTokenRevoked  = "token has been revoked"
	detailTokenExpired  = "token has expired"
	detailRequired      = "this field must be filled in"
	detailWrongCred     = "wrong credential"
	detailInvalidCode   = "invalid code"
	detailInvalidEmail  = "invalid email"
	detailOccupied      = "this is the user name or mailbox is already occupied. try another credentials"
	detailKeyEmpty      = "ssh key has not be empty"
	detailKeyNameEmpty  = "ssh key name has not be empty"
	detailKeyIDEmpty    = "ssh key id has not be empty"
	detailKeyDuplicate  = "ssh key has already been added"
	detailKeyNotAllowed = "ssh keys change is not allowed"
	detailKeyInvalid    = "ssh key is invalid"
	detailLocked        = "password is locked"
	detailNotLocked     = "password is not locked"
)

// wantError fails unless r is an error answer with status and detail ("" =
// any non-empty detail).
func wantError(t testing.TB, r apptest.Response, status int, detail string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	got := r.Detail()
	if got == "" || detail != "" && got != detail {
		t.Fatalf("detail %q, want %q: %s", got, detail, r.Raw)
	}
	if _, hasData := r.Doc["data"]; hasData {
		t.Fatalf("an error answer carries data: %s", r.Raw)
	}
}

// wantAck fails unless r is the ack document of type typ.
func wantAck(t testing.TB, r apptest.Response, typ string) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	d, _ := r.Doc["data"].(map[string]any)
	if d["type"] != typ || r.Attrs()["response"] != true {
		t.Fatalf("not an ack:%s: %s", typ, r.Raw)
	}
}

// newKey returns a fresh ed25519 public key as an authorized_keys line.
func newKey(t testing.TB, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	if comment != "" {
		line += " " + comment
	}
	return line
}

// eventCount is the number of events in the store.
func eventCount(e *apptest.Env) int { return len(e.Events()) }

// eventTypes counts the stored events by type.
func eventTypes(e *apptest.Env) map[string]int {
	out := map[string]int{}
	for _, ev := range e.Events() {
		out[ev.Type]++
	}
	return out
}

// mailCount is the number of messages in the outbox.
func mailCount(t testing.TB, e *apptest.Env) int {
	t.Helper()
	entries, err := os.ReadDir(e.Config.MailOutbox())
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// login logs in and returns the token.
func login(t testing.TB, e *apptest.Env, loginName, password string) string {
	t.Helper()
	r := e.MustOK("user.login", "", map[string]any{"user_login": loginName, "user_password": password})
	tok, _ := r.Attrs()["token"].(string)
	if tok == "" {
		t.Fatalf("no token: %s", r.Raw)
	}
	return tok
}

// register runs both steps of user.register through the API and returns
// the new user's id.
func register(t testing.TB, e *apptest.Env, loginName, email, password string) int64 {
	t.Helper()
	r := e.MustOK("user.register", "", map[string]any{"user_login": loginName, "user_email": email,
		"user_password": password, "user_passwordRepeat": password})
	e.MustOK("user.register", "", map[string]any{"user_code": e.LastCode(email)})
	return r.ID()
}

// userAttrs returns user.get's attributes.
func userAttrs(t testing.TB, e *apptest.Env, tok string) map[string]any {
	t.Helper()
	return e.MustOK("user.get", tok, nil).Attrs()
}

// apiToken creates a system.api token and returns its attributes.
func apiToken(t testing.TB, e *apptest.Env, tok string, lifetime int, revokeAll bool) map[string]any {
	t.Helper()
	return e.MustOK("token.create", tok, map[string]any{"token_lifetime": lifetime, "token_revoke_all": revokeAll}).Attrs()
}

// addKey adds an ssh key and returns its id.
func addKey(t testing.TB, e *apptest.Env, tok, name, public string) int64 {
	t.Helper()
	r := e.MustOK("ssh-key.add", tok, map[string]any{"key_name": name, "key_public": public})
	wantAck(t, r, "ssh-key")
	if r.ID() <= 0 {
		t.Fatalf("ssh-key.add gave no id: %s", r.Raw)
	}
	return r.ID()
}
