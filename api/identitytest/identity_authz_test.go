package identitytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
)

// identityMethods are the methods of issue 3 that need a token, each with
// a body that would succeed for a valid caller.
func identityMethods(t *testing.T, victimKeyID int64, victimTokenName string) map[string]any {
	return map[string]any{
		"token.create":        map[string]any{"token_lifetime": 3600, "token_revoke_all": true},
		"token.get":           map[string]any{},
		"token.revoke":        map[string]any{"token_name": victimTokenName},
		"ssh-key.add":         map[string]any{"key_name": "x", "key_public": newKey(t, "")},
		"ssh-key.get":         map[string]any{},
		"ssh-key.delete":      map[string]any{"key_id": victimKeyID},
		"user.get":            map[string]any{},
		"user.logout":         map[string]any{},
		"user.passwordChange": map[string]any{"user_password": "a new password", "user_passwordRepeat": "a new password"},
		"user.passwordLock":   map[string]any{"user_password_locked": true, "user_code": ""},
		"user.emailChange":    map[string]any{"user_email": "new@example.org", "user_code": ""},
	}
}

// TestAuthorizationMatrix tries every method of this issue with each kind
// of bad credential: each must get 401 with the right detail, and change
// nothing. Then it tries another user's resources: 404, nothing changes.
func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.Start(t)
	_, alice := e.AddUser("alice", 4)
	_, bob := e.AddUser("bob", 4)
	aliceKey := addKey(t, e, alice, "laptop", newKey(t, "alice@laptop"))
	aliceAPI := apiToken(t, e, alice, 3600, false)
	aliceName := aliceAPI["token_name"].(string)

	revoked := login(t, e, "bob", apptest.Password("bob"))
	e.MustOK("user.logout", revoked, nil)
	expired := apiToken(t, e, bob, 1, false)["token"].(string)
	time.Sleep(2100 * time.Millisecond)

	credentials := []struct {
		name   string
		header string // the whole Authorization header; "" = none
		detail string
	}{
		{"no token", "", detailTokenNotFound},
		{"malformed token", "Bearer not-a-real-token", detailTokenNotFound},
		{"oversized token", "Bearer " + strings.Repeat("A", 4000), detailTokenNotFound},
		{"not a bearer", "Basic " + alice, detailTokenNotFound},
		{"empty bearer", "Bearer ", detailTokenNotFound},
		{"revoked token", "Bearer " + revoked, detailTokenRevoked},
		{"expired token", "Bearer " + expired, detailTokenExpired},
	}
	methods := identityMethods(t, aliceKey, aliceName)
	for method, body := range methods {
		for _, cred := range credentials {
			t.Run(method+"/"+cred.name, func(t *testing.T) {
				before := eventCount(e)
				r := callWithHeader(t, e, method, cred.header, body)
				wantError(t, r, http.StatusUnauthorized, cred.detail)
				if n := eventCount(e); n != before {
					t.Fatalf("a refused call wrote %d events", n-before)
				}
				if strings.Contains(string(r.Raw), aliceName) || strings.Contains(string(r.Raw), "laptop") {
					t.Fatalf("the answer leaks alice's data: %s", r.Raw)
				}
			})
		}
	}

	// Bob reaches for alice's resources.
	for _, tc := range []struct {
		method string
		body   any
		detail string
	}{
		{"ssh-key.delete", map[string]any{"key_id": aliceKey}, "ssh key not found"},
		{"token.revoke", map[string]any{"token_name": aliceName}, detailTokenNotFound},
	} {
		t.Run(tc.method+"/another user's resource", func(t *testing.T) {
			before := eventCount(e)
			wantError(t, e.Call(tc.method, bob, tc.body), http.StatusNotFound, tc.detail)
			if n := eventCount(e); n != before {
				t.Fatalf("a refused call wrote %d events", n-before)
			}
		})
	}
	t.Run("lists show only the caller's", func(t *testing.T) {
		for _, method := range []string{"ssh-key.get", "token.get"} {
			r := e.MustOK(method, bob, nil)
			if strings.Contains(string(r.Raw), aliceName) || strings.Contains(string(r.Raw), "laptop") {
				t.Fatalf("%s shows alice's data to bob: %s", method, r.Raw)
			}
		}
		if got := userAttrs(t, e, bob)["login"]; got != "bob" {
			t.Fatalf("user.get with bob's token shows %v", got)
		}
	})
	t.Run("alice's resources are intact", func(t *testing.T) {
		if list := e.MustOK("ssh-key.get", alice, nil).List(); len(list) != 1 || list[0]["id"] != float64(aliceKey) {
			t.Fatalf("alice's keys: %v", list)
		}
		e.MustOK("user.get", aliceAPI["token"].(string), nil)
	})
	t.Run("valid token still works for every method", func(t *testing.T) {
		fresh := login(t, e, "alice", apptest.Password("alice"))
		for _, method := range []string{"token.get", "ssh-key.get", "user.get"} {
			e.MustOK(method, fresh, nil)
		}
	})
}

// callWithHeader is Env.Call with a raw Authorization header ("" = none).
func callWithHeader(t *testing.T, e *apptest.Env, method, header string, body any) apptest.Response {
	t.Helper()
	if header == "" {
		return e.Call(method, "", body)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/api/v1/"+method, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", header)
	return e.Do(req)
}
