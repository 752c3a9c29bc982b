package identitytest

import (
	"regexp"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app/apptest"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestTokenCreate(t *testing.T) {
	e := apptest.Start(t)
	uid, tok := e.AddUser("alice", 4)
	for _, tc := range []struct {
		name     string
		body     any
		status   int
		detail   string
		lifetime int64
	}{
		{name: "an hour", body: map[string]any{"token_lifetime": 3600, "token_revoke_all": false}, status: 200, lifetime: 3600},
		{name: "a year", body: map[string]any{"token_lifetime": 31536000, "token_revoke_all": false}, status: 200, lifetime: 31536000},
		{name: "numeric string", body: map[string]any{"token_lifetime": "86400"}, status: 200, lifetime: 86400},
		{name: "ten years", body: map[string]any{"token_lifetime": 315360000}, status: 200, lifetime: 315360000},
		{name: "over ten years", body: map[string]any{"token_lifetime": 315360001}, status: 400},
		{name: "zero", body: map[string]any{"token_lifetime": 0}, status: 400},
		{name: "negative", body: map[string]any{"token_lifetime": -60}, status: 400},
		{name: "missing", body: map[string]any{"token_revoke_all": true}, status: 400, detail: detailRequired},
		{name: "not a number", body: map[string]any{"token_lifetime": "soon"}, status: 400},
		{name: "fraction", body: `{"token_lifetime": 1.5}`, status: 400},
		{name: "revoke_all not a bool", body: map[string]any{"token_lifetime": 60, "token_revoke_all": "yes"}, status: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			r := e.Call("token.create", tok, tc.body)
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.detail)
				if n := eventCount(e); n != before {
					t.Fatalf("a refused token.create wrote %d events", n-before)
				}
				return
			}
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			a := r.Attrs()
			raw, _ := a["token"].(string)
			if len(raw) < 22 || raw == tok {
				t.Fatalf("token %q", raw)
			}
			if a["token_id"] != float64(r.ID()) || a["token_type"] != "system.api" || a["token_state"] != float64(1) ||
				a["revoke_time"] != float64(0) || a["user_id"] != float64(uid) {
				t.Fatalf("attributes %v", a)
			}
			if name, _ := a["token_name"].(string); !guidRE.MatchString(name) {
				t.Fatalf("token_name %q is not a GUID", name)
			}
			start, expire := int64(a["token_time_start"].(float64)), int64(a["token_time_expire"].(float64))
			if expire-start != tc.lifetime || time.Now().Unix()-start > 5 {
				t.Fatalf("start %d expire %d, want a lifetime of %d", start, expire, tc.lifetime)
			}
			if got := userAttrs(t, e, raw)["login"]; got != "alice" {
				t.Fatalf("the new token authenticates as %v", got)
			}
		})
	}
}

func TestTokenRevokeAll(t *testing.T) {
	e := apptest.Start(t)
	_, loginTok := e.AddUser("alice", 4)
	_, bobTok := e.AddUser("bob", 4)
	first := apiToken(t, e, loginTok, 3600, false)["token"].(string)
	second := apiToken(t, e, loginTok, 3600, false)["token"].(string)
	bobs := apiToken(t, e, bobTok, 3600, false)["token"].(string)
	third := apiToken(t, e, loginTok, 3600, true)["token"].(string)

	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"first api token", first, 401},
		{"second api token", second, 401},
		{"the new api token", third, 200},
		{"the login token", loginTok, 200},
		{"another user's api token", bobs, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Call("user.get", tc.token, nil)
			if tc.status == 401 {
				wantError(t, r, 401, detailTokenRevoked)
				return
			}
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
		})
	}
}

func TestTokenGetAndRevoke(t *testing.T) {
	e := apptest.Start(t)
	uid, loginTok := e.AddUser("alice", 4)
	_, bobTok := e.AddUser("bob", 4)
	api := apiToken(t, e, loginTok, 3600, false)
	bobAPI := apiToken(t, e, bobTok, 3600, false)

	list := e.MustOK("token.get", loginTok, nil).List()
	if len(list) != 2 {
		t.Fatalf("token.get lists %d tokens, want 2: %v", len(list), list)
	}
	types := map[string]bool{}
	for _, it := range list {
		a, _ := it["attributes"].(map[string]any)
		if it["type"] != "token" || it["id"] != a["token_id"] || a["user_id"] != float64(uid) {
			t.Fatalf("token item %v", it)
		}
		for _, k := range []string{"token_id", "token_name", "token_state", "token_type", "token_time_start", "token_time_expire", "revoke_time", "user_id"} {
			if _, ok := a[k]; !ok {
				t.Fatalf("token item lacks %s: %v", k, a)
			}
		}
		if _, leaked := a["token"]; leaked {
			t.Fatalf("token.get shows a token secret: %v", a)
		}
		types[a["token_type"].(string)] = true
		if a["token_name"] == bobAPI["token_name"] {
			t.Fatal("token.get lists another user's token")
		}
	}
	if !types["user.login"] || !types["system.api"] {
		t.Fatalf("token types %v", types)
	}

	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{name: "missing name", body: map[string]any{}, status: 400, detail: detailRequired},
		{name: "name not a string", body: map[string]any{"token_name": 12}, status: 400},
		{name: "unknown name", body: map[string]any{"token_name": "00000000-0000-4000-8000-000000000000"}, status: 404, detail: detailTokenNotFound},
		{name: "another user's token", body: map[string]any{"token_name": bobAPI["token_name"]}, status: 404, detail: detailTokenNotFound},
		{name: "own api token", body: map[string]any{"token_name": api["token_name"]}, status: 200},
		{name: "revoking twice is fine", body: map[string]any{"token_name": api["token_name"]}, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Call("token.revoke", loginTok, tc.body)
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.detail)
				return
			}
			wantAck(t, r, "token")
		})
	}
	wantError(t, e.Call("user.get", api["token"].(string), nil), 401, detailTokenRevoked)
	e.MustOK("user.get", bobAPI["token"].(string), nil)

	for _, it := range e.MustOK("token.get", loginTok, nil).List() {
		a := it["attributes"].(map[string]any)
		revoked := a["token_name"] == api["token_name"]
		if revoked != (a["token_state"] == float64(0)) || revoked != (a["revoke_time"].(float64) > 0) {
			t.Fatalf("after revoke: %v", a)
		}
	}
}

func TestLogoutRevokesAtOnce(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	other := login(t, e, "alice", apptest.Password("alice"))
	wantAck(t, e.MustOK("user.logout", tok, nil), "user")
	wantError(t, e.Call("user.get", tok, nil), 401, detailTokenRevoked)
	e.MustOK("user.get", other, nil)
}
