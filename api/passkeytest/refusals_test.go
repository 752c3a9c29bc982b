package passkeytest

import (
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

// TestAssertionRefusals: every bad login is a 4xx other than 401, and
// none of them issues a token.
func TestAssertionRefusals(t *testing.T) {
	env := start(t)
	_, tok := env.AddUser("hank", 4)
	a := softauthn.New(origin)
	id := addKey(t, env, tok, "hank", a)
	verify := func(body map[string]any) apptest.Response { return call(env, "user.assertionVerify", "", body) }

	t.Run("replayed assertion", func(t *testing.T) {
		body, _ := loginBody(t, env, "hank", a)
		mustOK(env, "user.assertionVerify", "", body)
		refused(t, verify(body), http.StatusBadRequest, "the challenge has expired or was already used")
		// Replayed against a newer challenge.
		mustOK(env, "user.assertionGet", "", map[string]any{"user_login": "hank"})
		refused(t, verify(body), http.StatusBadRequest, "wrong challenge")
	})
	t.Run("wrong origin", func(t *testing.T) {
		body, _ := loginBody(t, env, "hank", a, softauthn.WithOrigin("https://evil.example.com"))
		refused(t, verify(body), http.StatusBadRequest, "wrong origin")
	})
	t.Run("wrong challenge", func(t *testing.T) {
		other := make([]byte, 32)
		_, _ = rand.Read(other)
		body, _ := loginBody(t, env, "hank", a, softauthn.WithChallenge(other))
		refused(t, verify(body), http.StatusBadRequest, "wrong challenge")
	})
	t.Run("no challenge", func(t *testing.T) {
		body, _ := loginBody(t, env, "hank", a)
		body["user_login"] = "hank@example.com" // the same account: the challenge is per account
		mustOK(env, "user.assertionVerify", "", body)
		refused(t, verify(body), http.StatusBadRequest, "the challenge has expired or was already used")
	})
	t.Run("unknown credential", func(t *testing.T) {
		_, ivy := env.AddUser("ivy", 4)
		stranger := softauthn.New(origin)
		ivyKey := addKey(t, env, ivy, "ivy", stranger)
		body, _ := loginBody(t, env, "hank", stranger, softauthn.WithCredential(ivyKey))
		refused(t, verify(body), http.StatusBadRequest, "unknown credential")
	})
	t.Run("deleted credential", func(t *testing.T) {
		spare := softauthn.New(origin)
		spareID := addKey(t, env, tok, "hank", spare)
		body, _ := loginBody(t, env, "hank", spare) // offered while it still existed
		mustOK(env, "user.credentialDelete", tok, map[string]any{"key_id": credentialID(t, env, tok, len(credentials(env, tok))-1)})
		refused(t, verify(body), http.StatusBadRequest, "unknown credential")
		body, opts := loginBody(t, env, "hank", spare, softauthn.WithCredential(spareID))
		if n := len(decodeOptions(t, opts).AllowCredentials); n != 1 {
			t.Fatalf("the deleted key is still offered: %s", opts)
		}
		refused(t, verify(body), http.StatusBadRequest, "unknown credential")
	})
	t.Run("counter regression", func(t *testing.T) {
		body, _ := loginBody(t, env, "hank", a)
		mustOK(env, "user.assertionVerify", "", body)
		n, _ := a.Counter(id)
		if err := a.SetCounter(id, n-2); err != nil {
			t.Fatal(err)
		}
		body, _ = loginBody(t, env, "hank", a)
		refused(t, verify(body), http.StatusBadRequest, "the authenticator may be cloned")
		if err := a.SetCounter(id, n-1); err != nil { // signs n: equal is a regression too
			t.Fatal(err)
		}
		body, _ = loginBody(t, env, "hank", a)
		refused(t, verify(body), http.StatusBadRequest, "the authenticator may be cloned")
		if err := a.SetCounter(id, n+10); err != nil {
			t.Fatal(err)
		}
		body, _ = loginBody(t, env, "hank", a)
		mustOK(env, "user.assertionVerify", "", body)
	})
	t.Run("malformed assertion", func(t *testing.T) {
		body, _ := loginBody(t, env, "hank", a)
		body["response"].(map[string]any)["signature"] = "AAAA"
		refused(t, verify(body), http.StatusBadRequest, "the passkey response is invalid")
	})
	t.Run("unknown user", func(t *testing.T) {
		refused(t, call(env, "user.assertionGet", "", map[string]any{"user_login": "nobody"}), http.StatusNotFound, "user not found")
		refused(t, call(env, "user.assertionGet", "", map[string]any{}), http.StatusBadRequest, "this field must be filled in")
		refused(t, verify(map[string]any{"user_login": "nobody", "id": "x", "rawId": "x", "type": "public-key"}),
			http.StatusNotFound, "user not found")
	})
	t.Run("user without passkeys", func(t *testing.T) {
		env.AddUser("jack", 4)
		refused(t, call(env, "user.assertionGet", "", map[string]any{"user_login": "jack"}), http.StatusBadRequest,
			"no passkey is registered for this user")
	})
}

// TestExpiredChallenge: a challenge answered after its TTL is refused.
func TestExpiredChallenge(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	env := start(t, func(c *configT) { c.WebAuthn.ChallengeTTL.Duration = ttl })
	_, tok := env.AddUser("kim", 4)
	a := softauthn.New(origin)
	addKey(t, env, tok, "kim", a)

	body, _ := loginBody(t, env, "kim", a)
	time.Sleep(ttl + 100*time.Millisecond)
	refused(t, call(env, "user.assertionVerify", "", body), http.StatusBadRequest, "the challenge has expired or was already used")

	raw := publicKey(t, mustOK(env, "user.credentialMake", tok, map[string]any{"user_login": "kim", "user_register": false}))
	resp, err := softauthn.New(origin).Register(raw)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	refused(t, call(env, "user.credentialMake", tok, with(t, resp, map[string]any{"user_login": "kim", "user_register": false})),
		http.StatusBadRequest, "the challenge has expired or was already used")
}

// TestAssertionsAreThrottled: failed passkey logins count like failed
// password logins.
func TestAssertionsAreThrottled(t *testing.T) {
	env := start(t, func(c *configT) { c.Auth.MaxFailedLogins = 3 })
	_, tok := env.AddUser("lou", 4)
	a := softauthn.New(origin)
	addKey(t, env, tok, "lou", a)
	for range 3 {
		body, _ := loginBody(t, env, "lou", a, softauthn.WithOrigin("https://evil.example.com"))
		refused(t, call(env, "user.assertionVerify", "", body), http.StatusBadRequest, "wrong origin")
	}
	r := call(env, "user.assertionGet", "", map[string]any{"user_login": "lou"})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d %s", r.Status, r.Raw)
	}
	refused(t, call(env, "user.login", "", map[string]any{"user_login": "lou", "user_password": apptest.Password("lou")}),
		http.StatusTooManyRequests, "too many failed attempts, try again later")
}

// credentialID returns the id of the i-th credential of credentialGet.
func credentialID(t *testing.T, env *apptest.Env, tok string, i int) int64 {
	t.Helper()
	list := credentials(env, tok)
	if i >= len(list) {
		t.Fatalf("only %d credentials", len(list))
	}
	return int64(list[i]["id"].(float64))
}
