package passkeytest

import (
	"net/http"
	"testing"

	"github.com/uivmm/uivmm/passkey/softauthn"
)

// TestCredentialOwnership: credentialGet lists only the caller's keys and
// credentialDelete deletes only the caller's; anyone else's is a 404.
func TestCredentialOwnership(t *testing.T) {
	env := start(t)
	_, ivan := env.AddUser("ivan", 4)
	_, judy := env.AddUser("judy", 4)
	ivanKey := softauthn.New(origin)
	addKey(t, env, ivan, "ivan", ivanKey)
	addKey(t, env, judy, "judy", softauthn.New(origin))
	ivanID := credentialID(t, env, ivan, 0)
	judyID := credentialID(t, env, judy, 0)
	if ivanID == judyID || len(credentials(env, ivan)) != 1 || len(credentials(env, judy)) != 1 {
		t.Fatal("each user must see only their own key")
	}

	refused(t, call(env, "user.credentialDelete", judy, map[string]any{"key_id": ivanID}), http.StatusNotFound, "credential not found")
	refused(t, call(env, "user.credentialDelete", judy, map[string]any{"key_id": 99999}), http.StatusNotFound, "credential not found")
	refused(t, call(env, "user.credentialDelete", judy, map[string]any{}), http.StatusBadRequest, "this field must be filled in")
	if r := call(env, "user.credentialDelete", "", map[string]any{"key_id": ivanID}); r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s", r.Status, r.Raw)
	}
	if r := call(env, "user.credentialGet", "", map[string]any{}); r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s", r.Status, r.Raw)
	}
	if len(credentials(env, ivan)) != 1 {
		t.Fatal("judy deleted ivan's key")
	}
	body, _ := loginBody(t, env, "ivan", ivanKey)
	mustOK(env, "user.assertionVerify", "", body)

	r := mustOK(env, "user.credentialDelete", ivan, map[string]any{"key_id": ivanID})
	if d, _ := r.Doc["data"].(map[string]any); d["type"] != "user" || r.Attrs()["response"] != true {
		t.Fatalf("credentialDelete answer: %s", r.Raw)
	}
	if n := len(credentials(env, ivan)); n != 0 {
		t.Fatalf("%d credentials left", n)
	}
	refused(t, call(env, "user.credentialDelete", ivan, map[string]any{"key_id": ivanID}), http.StatusNotFound, "credential not found")
	refused(t, call(env, "user.assertionGet", "", map[string]any{"user_login": "ivan"}), http.StatusBadRequest,
		"no passkey is registered for this user")

	// The deleted key's authenticator may register again (its claim is free).
	raw := publicKey(t, mustOK(env, "user.credentialMake", ivan, map[string]any{"user_login": "ivan", "user_register": false}))
	resp, err := ivanKey.Register(raw, softauthn.WithCredential(ivanKey.CredentialIDs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	mustOK(env, "user.credentialMake", ivan, with(t, resp, map[string]any{"user_login": "ivan", "user_register": false}))
	body, _ = loginBody(t, env, "ivan", ivanKey)
	mustOK(env, "user.assertionVerify", "", body)
}
