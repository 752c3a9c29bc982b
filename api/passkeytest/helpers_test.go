// Package passkeytest drives the passkey methods of a running uivmm over
// HTTP with a software authenticator, exactly as the front-end does.
package passkeytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

const (
	rpID   = "vmm.example.com"
	origin = "https://vmm.example.com"
	// macChrome is the User-Agent of Chrome 114 on macOS.
	macChrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36"
)

// start runs uivmm with passkeys on for rpID; mods adjust it further.
func start(t *testing.T, mods ...func(*config.Config)) *apptest.Env {
	t.Helper()
	return apptest.Start(t, append([]func(*config.Config){func(c *config.Config) {
		c.WebAuthn.Enabled, c.WebAuthn.RPID, c.WebAuthn.RPOrigins = true, rpID, []string{origin}
	}}, mods...)...)
}

// call POSTs body to method like the front-end: JSON, a bearer token when
// set, and the User-Agent of Chrome on a Mac.
func call(env *apptest.Env, method, token string, body any) apptest.Response {
	env.T.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		env.T.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/"+method, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", macChrome)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return env.Do(req)
}

func mustOK(env *apptest.Env, method, token string, body any) apptest.Response {
	env.T.Helper()
	r := call(env, method, token, body)
	if r.Status != http.StatusOK {
		env.T.Fatalf("%s: status %d: %s", method, r.Status, r.Raw)
	}
	return r
}

// refused checks a 4xx other than 401 with detail.
func refused(t *testing.T, r apptest.Response, status int, detail string) {
	t.Helper()
	if r.Status != status || r.Detail() != detail {
		t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.Detail(), status, detail, r.Raw)
	}
	if r.Status == http.StatusUnauthorized || r.Status < 400 || r.Status >= 500 {
		t.Fatalf("status %d is not a 4xx other than 401", r.Status)
	}
}

// publicKey returns data.attributes.publicKey of r, checking the type.
func publicKey(t *testing.T, r apptest.Response) json.RawMessage {
	t.Helper()
	data, _ := r.Doc["data"].(map[string]any)
	if data["type"] != "credential" {
		t.Fatalf("data.type %v, want credential: %s", data["type"], r.Raw)
	}
	pk, ok := r.Attrs()["publicKey"].(map[string]any)
	if !ok {
		t.Fatalf("no data.attributes.publicKey: %s", r.Raw)
	}
	raw, err := json.Marshal(pk)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// options decodes the parts of creation or request options tests look at.
type options struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	Attestation            string `json:"attestation"`
	AuthenticatorSelection struct {
		AuthenticatorAttachment string `json:"authenticatorAttachment"`
	} `json:"authenticatorSelection"`
	ExcludeCredentials []struct {
		ID string `json:"id"`
	} `json:"excludeCredentials"`
	AllowCredentials []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
}

func decodeOptions(t *testing.T, raw json.RawMessage) options {
	t.Helper()
	var o options
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// atob decodes standard base64 like the browser: the URL alphabet fails.
func atob(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%q is not standard base64: %v", s, err)
	}
	return b
}

// with merges the browser's response JSON into fields, as the front-end
// sends step 2 of user.credentialMake and user.assertionVerify.
func with(t *testing.T, browser json.RawMessage, fields map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	if err := json.Unmarshal(browser, &out); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// addKey adds a passkey held by a to the account of tok and returns the
// raw credential id.
func addKey(t *testing.T, env *apptest.Env, tok, login string, a *softauthn.Authenticator) []byte {
	t.Helper()
	step1 := map[string]any{"user_login": login, "user_email": "", "user_register": false,
		"attestation_type": "direct", "authenticator_attachment": "cross-platform"}
	opts := publicKey(t, mustOK(env, "user.credentialMake", tok, step1))
	resp, err := a.Register(opts)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(env, "user.credentialMake", tok, with(t, resp, map[string]any{"user_login": login, "user_email": "", "user_register": false}))
	ids := a.CredentialIDs()
	return ids[len(ids)-1]
}

// loginBody runs user.assertionGet for login and answers it with a,
// returning the user.assertionVerify body and the options.
func loginBody(t *testing.T, env *apptest.Env, login string, a *softauthn.Authenticator, opts ...softauthn.Option) (map[string]any, json.RawMessage) {
	t.Helper()
	o := publicKey(t, mustOK(env, "user.assertionGet", "", map[string]any{"user_login": login}))
	resp, err := a.Login(o, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return with(t, resp, map[string]any{"user_login": login}), o
}

// credentials returns user.credentialGet's list.
func credentials(env *apptest.Env, tok string) []map[string]any {
	env.T.Helper()
	return mustOK(env, "user.credentialGet", tok, map[string]any{}).List()
}

func attrs(item map[string]any) map[string]any {
	a, _ := item["attributes"].(map[string]any)
	return a
}

type configT = config.Config

// startPlain runs uivmm with the default configuration (no webauthn).
func startPlain(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.Start(t)
}
