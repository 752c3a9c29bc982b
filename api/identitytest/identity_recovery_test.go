package identitytest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

func TestRecovery(t *testing.T) {
	e := apptest.Start(t)
	e.AddUser("alice", 4)
	recover := func(body map[string]any) apptest.Response { return e.Call("user.recovery", "", body) }

	// An unknown address gets the same answer and nothing happens.
	before, mails := eventCount(e), mailCount(t, e)
	r := recover(map[string]any{"user_email": "nobody@example.com"})
	wantAck(t, r, "user")
	if eventCount(e) != before || mailCount(t, e) != mails {
		t.Fatal("recovery for an unknown address wrote events or mail")
	}
	known := recover(map[string]any{"user_email": "alice@example.com"})
	wantAck(t, known, "user")
	if known.ID() != 0 || r.ID() != 0 {
		t.Fatalf("recovery answers name the account: %s / %s", known.Raw, r.Raw)
	}
	code := e.LastCode("alice@example.com")

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		detail string
	}{
		{"no field", map[string]any{}, 400, detailRequired},
		{"bad address", map[string]any{"user_email": "alice"}, 400, detailInvalidEmail},
		{"address not a string", map[string]any{"user_email": 7}, 400, ""},
		{"malformed code", map[string]any{"user_code": "123"}, 400, detailInvalidCode},
		{"wrong code", map[string]any{"user_code": uuid.NewString()}, 400, detailInvalidCode},
		{"wrong code with password", map[string]any{"user_code": uuid.NewString(), "user_password": "new password!", "user_passwordRepeat": "new password!"}, 400, detailInvalidCode},
		{"short password", map[string]any{"user_code": code, "user_password": "short", "user_passwordRepeat": "short"}, 400, "the password entered is too short"},
		{"passwords differ", map[string]any{"user_code": code, "user_password": "new password!", "user_passwordRepeat": "new password?"}, 400, "these passwords don't match. try again?"},
		{"repeat missing", map[string]any{"user_code": code, "user_password": "new password!"}, 400, "these passwords don't match. try again?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			wantError(t, recover(tc.body), tc.status, tc.detail)
			if eventCount(e) != before {
				t.Fatal("a refused recovery step wrote events")
			}
		})
	}

	wantAck(t, recover(map[string]any{"user_code": code}), "user")
	wantAck(t, recover(map[string]any{"user_code": code}), "user") // checking does not use it up
	wantAck(t, recover(map[string]any{"user_code": code, "user_password": "new password!", "user_passwordRepeat": "new password!"}), "user")
	login(t, e, "alice", "new password!")
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": apptest.Password("alice")}), 400, detailWrongCred)
	wantError(t, recover(map[string]any{"user_code": code}), 400, detailInvalidCode) // single-use
}

func TestRecoveryDisabled(t *testing.T) {
	e := apptest.Start(t, func(c *config.Config) { c.DisableUserRecovery = true })
	e.AddUser("alice", 4)
	for _, body := range []map[string]any{
		{"user_email": "alice@example.com"},
		{"user_code": uuid.NewString()},
		{"user_code": uuid.NewString(), "user_password": "new password!", "user_passwordRepeat": "new password!"},
	} {
		before := eventCount(e)
		wantError(t, e.Call("user.recovery", "", body), 403, "recovery is disabled")
		if eventCount(e) != before {
			t.Fatal("disabled recovery wrote events")
		}
	}
}
