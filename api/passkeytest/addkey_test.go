package passkeytest

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/uivmm/uivmm/passkey/softauthn"
)

// TestAddKeyToLoggedInUser adds keys from the settings page: the token's
// user gets them, and the second call excludes the first key.
func TestAddKeyToLoggedInUser(t *testing.T) {
	env := start(t)
	_, tok := env.AddUser("frank", 4)
	step1 := map[string]any{"user_login": "frank", "user_register": false,
		"attestation_type": "none", "authenticator_attachment": "platform"}

	t.Run("no token is 401", func(t *testing.T) {
		r := call(env, "user.credentialMake", "", step1)
		if r.Status != http.StatusUnauthorized || r.Detail() != "token not found" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		if r := call(env, "user.credentialMake", "garbage", step1); r.Status != http.StatusUnauthorized {
			t.Fatalf("bad token: %d %s", r.Status, r.Raw)
		}
	})

	first := softauthn.New(origin)
	raw := publicKey(t, mustOK(env, "user.credentialMake", tok, step1))
	o := decodeOptions(t, raw)
	if len(o.ExcludeCredentials) != 0 || o.User.Name != "frank" || o.Attestation != "none" ||
		o.AuthenticatorSelection.AuthenticatorAttachment != "platform" {
		t.Fatalf("first creation options: %s", raw)
	}
	resp, err := first.Register(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := mustOK(env, "user.credentialMake", tok, with(t, resp, map[string]any{"user_login": "frank", "user_register": false}))
	if d, _ := r.Doc["data"].(map[string]any); d["type"] != "credential" {
		t.Fatalf("step 2 answer: %s", r.Raw)
	}
	firstID := first.CredentialIDs()[0]

	raw = publicKey(t, mustOK(env, "user.credentialMake", tok, step1))
	o = decodeOptions(t, raw)
	if len(o.ExcludeCredentials) != 1 || !bytes.Equal(atob(t, o.ExcludeCredentials[0].ID), firstID) {
		t.Fatalf("second creation options do not exclude the first key: %s", raw)
	}
	if _, err := first.Register(raw); err == nil {
		t.Fatal("the authenticator registered an excluded credential")
	}
	// A browser that ignores excludeCredentials is refused by the server.
	resp, err = first.Register(raw, softauthn.IgnoreExclusions(), softauthn.WithCredential(firstID))
	if err != nil {
		t.Fatal(err)
	}
	refused(t, call(env, "user.credentialMake", tok, with(t, resp, map[string]any{"user_login": "frank", "user_register": false})),
		http.StatusBadRequest, "the passkey response is invalid")

	second := softauthn.New(origin)
	addKey(t, env, tok, "frank", second)

	list := credentials(env, tok)
	if len(list) != 2 {
		t.Fatalf("credentialGet: %v", list)
	}
	for _, item := range list {
		a := attrs(item)
		if item["type"] != "credential" || a["key_id"] != item["id"] || a["key_name"] != "Mac; Mac OS X 10.15.7; Chrome 114.0.0" {
			t.Fatalf("credential %v", item)
		}
		if ts, _ := a["key_timeadd"].(float64); ts <= 0 {
			t.Fatalf("key_timeadd %v", a["key_timeadd"])
		}
	}

	// Both keys log in.
	for _, a := range []*softauthn.Authenticator{first, second} {
		body, opts := loginBody(t, env, "frank", a)
		if n := len(decodeOptions(t, opts).AllowCredentials); n != 2 {
			t.Fatalf("allowCredentials has %d keys", n)
		}
		r := mustOK(env, "user.assertionVerify", "", body)
		if tok2, _ := r.Attrs()["token"].(string); tok2 == "" {
			t.Fatalf("no token: %s", r.Raw)
		}
	}

	// A credential id belongs to one account only.
	_, gina := env.AddUser("gina", 4)
	raw = publicKey(t, mustOK(env, "user.credentialMake", gina, map[string]any{"user_login": "gina", "user_register": false}))
	resp, err = first.Register(raw, softauthn.WithCredential(firstID))
	if err != nil {
		t.Fatal(err)
	}
	refused(t, call(env, "user.credentialMake", gina, with(t, resp, map[string]any{"user_login": "gina", "user_register": false})),
		http.StatusConflict, "this passkey is already registered")
	if n := len(credentials(env, gina)); n != 0 {
		t.Fatalf("gina has %d credentials", n)
	}
}

// TestSignupRefusals: a sign-up needs a free login and e-mail, a step 1,
// and registration switched on.
func TestSignupRefusals(t *testing.T) {
	env := start(t)
	env.AddUser("kate", 4)
	signup := func(login, email string) map[string]any {
		return map[string]any{"user_login": login, "user_email": email, "user_register": true}
	}
	refused(t, call(env, "user.credentialMake", "", signup("kate", "new@example.com")), http.StatusConflict,
		"this is the user name or mailbox is already occupied. try another credentials")
	refused(t, call(env, "user.credentialMake", "", signup("KATE", "new@example.com")), http.StatusConflict,
		"this is the user name or mailbox is already occupied. try another credentials")
	refused(t, call(env, "user.credentialMake", "", signup("newbie", "kate@example.com")), http.StatusConflict,
		"this is the user name or mailbox is already occupied. try another credentials")
	refused(t, call(env, "user.credentialMake", "", signup("a b", "x@example.com")), http.StatusBadRequest, "invalid login")
	refused(t, call(env, "user.credentialMake", "", signup("newbie", "nope")), http.StatusBadRequest, "invalid email")

	// Step 2 without step 1.
	a := softauthn.New(origin)
	raw := publicKey(t, mustOK(env, "user.credentialMake", "", signup("lena", "lena@example.com")))
	resp, err := a.Register(raw)
	if err != nil {
		t.Fatal(err)
	}
	refused(t, call(env, "user.credentialMake", "", with(t, resp, signup("other", "other@example.com"))),
		http.StatusBadRequest, "the challenge has expired or was already used")
	// Step 2 for another e-mail than step 1.
	refused(t, call(env, "user.credentialMake", "", with(t, resp, signup("lena", "else@example.com"))),
		http.StatusBadRequest, "the e-mail address differs from the one the passkey was requested for")
	if r := call(env, "user.assertionGet", "", map[string]any{"user_login": "lena"}); r.Status != http.StatusNotFound {
		t.Fatalf("lena exists: %d %s", r.Status, r.Raw)
	}

	off := start(t, func(c *configT) { c.DisableUserRegistration = true })
	refused(t, call(off, "user.credentialMake", "", signup("mia", "mia@example.com")), http.StatusForbidden, "registration is disabled")
}

// TestPasskeysDisabled: without webauthn configured the methods refuse
// with 403 and config.get says so.
func TestPasskeysDisabled(t *testing.T) {
	env := startPlain(t)
	if v := mustOK(env, "config.get", "", map[string]any{}).Attrs()["webauth_enabled"]; v != false {
		t.Fatalf("webauth_enabled = %v", v)
	}
	env.AddUser("nina", 4)
	refused(t, call(env, "user.credentialMake", "", map[string]any{"user_login": "x1", "user_email": "x1@example.com", "user_register": true}),
		http.StatusForbidden, "passkeys are disabled")
	refused(t, call(env, "user.assertionGet", "", map[string]any{"user_login": "nina"}), http.StatusForbidden, "passkeys are disabled")
}
