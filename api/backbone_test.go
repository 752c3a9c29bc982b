package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// TestBadInputChangesNothing sends malformed requests to every class of
// method; each gets the right JSON error and the log does not grow.
func TestBadInputChangesNothing(t *testing.T) {
	env := apptest.Start(t, func(c *config.Config) { c.HTTP.MaxBody = 4096 })
	_, tok := env.AddUser("carol", 4)
	before := len(env.Events())
	cases := []struct {
		name, method, token, ctype, body string
		verb                             string
		status                           int
		detail                           string
	}{
		{"malformed json, no auth", "user.login", "", "application/json", `{"user_login":`, "POST", 400, "the request body is not valid JSON"},
		{"array body", "user.register", "", "application/json", `[1,2]`, "POST", 400, "the request body must be a JSON object"},
		{"string body", "user.register", "", "application/json", `"x"`, "POST", 400, "the request body must be a JSON object"},
		{"wrong type", "user.login", "", "application/json", `{"user_login":5,"user_password":"x"}`, "POST", 400, "user_login must be a string"},
		{"wrong type bool", "user.register", "", "application/json", `{"user_login":true}`, "POST", 400, "user_login must be a string"},
		{"missing fields register", "user.register", "", "application/json", `{}`, "POST", 400, "this field must be filled in"},
		{"missing password login", "user.login", "", "application/json", `{"user_login":"carol"}`, "POST", 400, "this field must be filled in"},
		{"short password", "user.register", "", "application/json", `{"user_login":"dave","user_email":"d@example.com","user_password":"short","user_passwordRepeat":"short"}`, "POST", 400, "the password entered is too short"},
		{"passwords differ", "user.register", "", "application/json", `{"user_login":"dave","user_email":"d@example.com","user_password":"longenough1","user_passwordRepeat":"longenough2"}`, "POST", 400, "these passwords don't match. try again?"},
		{"bad email", "user.register", "", "application/json", `{"user_login":"dave","user_email":"not an email","user_password":"longenough1","user_passwordRepeat":"longenough1"}`, "POST", 400, "invalid email"},
		{"bad login", "user.register", "", "application/json", `{"user_login":"a b","user_email":"d@example.com","user_password":"longenough1","user_passwordRepeat":"longenough1"}`, "POST", 400, "invalid login"},
		{"bad code", "user.register", "", "application/json", `{"user_code":"nope"}`, "POST", 400, "invalid code"},
		{"oversized body", "user.login", "", "application/json", `{"user_login":"` + strings.Repeat("a", 5000) + `"}`, "POST", 413, "the request body is too large"},
		{"not json media type", "user.login", "", "application/x-www-form-urlencoded", `user_login=a`, "POST", 415, "the request body must be application/json or application/vnd.api+json"},
		{"unknown method", "user.nothing", "", "application/json", `{}`, "POST", 404, "unknown method user.nothing"},
		{"wrong verb", "user.get", tok, "application/json", ``, "GET", 405, "user.get does not accept GET"},
		{"wrong verb put", "health.alive", "", "application/json", `{}`, "PUT", 405, "health.alive does not accept PUT"},
		{"auth: no token", "user.get", "", "application/json", `{}`, "POST", 401, "token not found"},
		{"auth: garbage token", "user.get", "garbage", "application/json", `{}`, "POST", 401, "token not found"},
		{"auth method, malformed body", "user.logout", tok, "application/json", `{`, "POST", 400, "the request body is not valid JSON"},
		{"login wrong password", "user.login", "", "application/json", `{"user_login":"carol","user_password":"wrong-password"}`, "POST", 400, "wrong credential"},
		{"login unknown user", "user.login", "", "application/json", `{"user_login":"nobody","user_password":"whatever1"}`, "POST", 404, "user not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.verb, env.URL+"/api/v1/"+tc.method, bytes.NewBufferString(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			r := env.Do(req)
			if r.Status != tc.status || r.Detail() != tc.detail {
				t.Fatalf("got %d %q, want %d %q (%s)", r.Status, r.Detail(), tc.status, tc.detail, r.Raw)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/vnd.api+json" {
				t.Fatalf("content type %q", ct)
			}
			if _, ok := r.Doc["data"]; ok {
				t.Fatal("error response carries data")
			}
		})
	}
	if after := len(env.Events()); after != before {
		t.Fatalf("bad input wrote %d events", after-before)
	}
}

// TestBothPrefixesAndGET checks /api/v1 and /v1, and GET on the methods
// that allow it.
func TestBothPrefixesAndGET(t *testing.T) {
	env := apptest.Start(t)
	for _, path := range []string{"/api/v1/health.alive", "/v1/health.alive", "/v1/health.ready", "/api/v1/health.ready"} {
		for _, verb := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(verb, env.URL+path, nil)
			r := env.Do(req)
			if r.Status != 200 || r.Attrs()["response"] != true {
				t.Fatalf("%s %s: %d %s", verb, path, r.Status, r.Raw)
			}
		}
	}
	r := env.MustOK("config.get", "", "")
	a := r.Attrs()
	for _, k := range []string{"disable_user_registration", "disable_user_recovery", "disable_server_add", "disable_ssh_key_add", "webauth_enabled", "simplestream_enabled"} {
		if _, ok := a[k].(bool); !ok {
			t.Fatalf("config.get %s not a bool: %s", k, r.Raw)
		}
	}
	s1, _ := a["stream"].(string)
	s2, _ := env.MustOK("config.get", "", nil).Attrs()["stream"].(string)
	if len(s1) != 36 || s1 == s2 {
		t.Fatalf("stream ids %q %q", s1, s2)
	}
}

// TestEventsNameActorAndRequestID: a mutating call's events carry the
// actor and the body's request_id.
func TestEventsNameActorAndRequestID(t *testing.T) {
	env := apptest.Start(t)
	uid, tok := env.AddUser("erin", 4)
	env.MustOK("user.logout", tok, `{"request_id":"3b0a8e0e-6f7e-4c1e-9b7a-2f0d1c5e9a41"}`)
	evs := env.Events()
	last := evs[len(evs)-1]
	if last.Type != "token:revoked" || last.Metadata.RequestID != "3b0a8e0e-6f7e-4c1e-9b7a-2f0d1c5e9a41" ||
		last.Metadata.ActorID != uid || last.Metadata.ActorKind != "user" || last.Metadata.Command != "user.logout" {
		t.Fatalf("last event %+v", last)
	}
	for _, ev := range evs {
		if ev.Metadata.RequestID == "" || ev.Metadata.ActorKind == "" {
			t.Fatalf("event without actor or request id: %+v", ev)
		}
	}
}
