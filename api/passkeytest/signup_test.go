package passkeytest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

// TestSignupWithPasskey registers a new account with a passkey only, as
// the register page does, activates it with the mailed code and logs in.
func TestSignupWithPasskey(t *testing.T) {
	env := start(t)
	if v := mustOK(env, "config.get", "", map[string]any{}).Attrs()["webauth_enabled"]; v != true {
		t.Fatalf("webauth_enabled = %v", v)
	}
	a := softauthn.New(origin)

	step1 := map[string]any{"user_login": "erin", "user_email": "erin@example.com", "user_register": true,
		"attestation_type": "direct", "authenticator_attachment": "cross-platform"}
	raw := publicKey(t, mustOK(env, "user.credentialMake", "", step1))
	o := decodeOptions(t, raw)
	if len(atob(t, o.Challenge)) < 16 || o.RP.ID != rpID || o.User.Name != "erin" ||
		o.Attestation != "direct" || o.AuthenticatorSelection.AuthenticatorAttachment != "cross-platform" {
		t.Fatalf("creation options: %s", raw)
	}
	handle := atob(t, o.User.ID)
	if len(handle) != 8 || binary.BigEndian.Uint64(handle) == 0 {
		t.Fatalf("user.id %q is not an 8-byte account id", o.User.ID)
	}

	resp, err := a.Register(raw)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(env, "user.credentialMake", "", with(t, resp, map[string]any{
		"user_login": "erin", "user_email": "erin@example.com", "user_register": true}))

	// Inactive until the mailed code is used; the refusal is not a 401.
	body, _ := loginBody(t, env, "erin", a)
	refused(t, call(env, "user.assertionVerify", "", body), http.StatusForbidden, "user is not activated")
	refused(t, call(env, "user.login", "", map[string]any{"user_login": "erin", "user_password": "anything1"}),
		http.StatusBadRequest, "wrong credential")

	mustOK(env, "user.register", "", map[string]any{"user_code": env.LastCode("erin@example.com")})

	body, reqOpts := loginBody(t, env, "erin", a)
	allow := decodeOptions(t, reqOpts).AllowCredentials
	if len(allow) != 1 || string(atob(t, allow[0].ID)) != string(a.CredentialIDs()[0]) || decodeOptions(t, reqOpts).RPID != rpID {
		t.Fatalf("request options: %s", reqOpts)
	}
	r := mustOK(env, "user.assertionVerify", "", body)
	tok, _ := r.Attrs()["token"].(string)
	inc, _ := r.Doc["included"].([]any)
	if tok == "" || len(inc) != 1 {
		t.Fatalf("assertionVerify is not a user.login reply: %s", r.Raw)
	}
	if incID := inc[0].(map[string]any)["id"].(float64); int64(incID) != r.ID() || uint64(r.ID()) != binary.BigEndian.Uint64(handle) {
		t.Fatalf("data.id %d, included id %v, user handle %d", r.ID(), incID, binary.BigEndian.Uint64(handle))
	}
	if u := mustOK(env, "user.get", tok, map[string]any{}); u.Attrs()["login"] != "erin" || u.Attrs()["email"] != "erin@example.com" {
		t.Fatalf("user.get: %s", u.Raw)
	}

	// A login by e-mail address works too.
	body, _ = loginBody(t, env, "erin@example.com", a)
	mustOK(env, "user.assertionVerify", "", body)

	list := credentials(env, tok)
	if len(list) != 1 || attrs(list[0])["key_name"] != "Mac; Mac OS X 10.15.7; Chrome 114.0.0" {
		t.Fatalf("credentialGet: %v", list)
	}
	checkEventsHoldNoSecret(t, env, tok)
}

// checkEventsHoldNoSecret: passkey events carry only public fields, the
// passkey account has no password hash, and the login token appears in no
// event.
func checkEventsHoldNoSecret(t *testing.T, env *apptest.Env, tok string) {
	t.Helper()
	public := []string{"aaguid", "at", "attestation_type", "backup_eligible", "credential_id", "key_id",
		"name", "public_key", "sign_count", "transports", "user_id"}
	seen := 0
	for _, ev := range env.Events() {
		if strings.Contains(string(ev.Data), tok) || strings.Contains(string(ev.Metadata.RequestID), tok) {
			t.Fatalf("event %s holds the token", ev.Type)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(ev.Data, &fields); err != nil {
			t.Fatal(err)
		}
		switch ev.Type {
		case "credential:registered":
			seen++
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, public) {
				t.Fatalf("credential:registered fields %v, want %v", keys, public)
			}
			var pub []byte
			if err := json.Unmarshal(fields["public_key"], &pub); err != nil || len(pub) < 64 || pub[0]&0xe0 != 0xa0 {
				t.Fatalf("public_key is not a COSE map: %s", fields["public_key"])
			}
			var keyID string
			_ = json.Unmarshal(fields["key_id"], &keyID)
			if _, err := base64.RawURLEncoding.DecodeString(keyID); err != nil {
				t.Fatalf("key_id %q is not base64url", keyID)
			}
		case "credential:used", "credential:deleted":
			for k := range fields {
				if k != "sign_count" && k != "at" {
					t.Fatalf("%s has field %q", ev.Type, k)
				}
			}
		case "user:registered":
			if strings.Contains(string(fields["via"]), "passkey") && fields["password_hash"] != nil {
				t.Fatalf("passkey account has a password hash: %s", ev.Data)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no credential:registered event")
	}
}
