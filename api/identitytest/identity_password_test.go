package identitytest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

func TestPasswordChange(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{name: "missing", body: map[string]any{}, status: 400, detail: detailRequired},
		{name: "too short", body: map[string]any{"user_password": "short", "user_passwordRepeat": "short"}, status: 400, detail: "the password entered is too short"},
		{name: "repeat differs", body: map[string]any{"user_password": "long enough 1", "user_passwordRepeat": "long enough 2"}, status: 400, detail: "these passwords don't match. try again?"},
		{name: "not a string", body: map[string]any{"user_password": 12345678, "user_passwordRepeat": 12345678}, status: 400},
		{name: "changed", body: map[string]any{"user_password": "a new password", "user_passwordRepeat": "a new password"}, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			r := e.Call("user.passwordChange", tok, tc.body)
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.detail)
				if eventCount(e) != before {
					t.Fatal("a refused password change wrote events")
				}
				return
			}
			wantAck(t, r, "user")
		})
	}
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": apptest.Password("alice")}), 400, detailWrongCred)
	login(t, e, "alice", "a new password")

	// A locked password cannot change.
	e.MustOK("user.passwordLock", tok, map[string]any{"user_password_locked": true, "user_code": ""})
	wantError(t, e.Call("user.passwordChange", tok, map[string]any{"user_password": "third password", "user_passwordRepeat": "third password"}), 403, detailLocked)
}

func TestPasswordChangeDisabled(t *testing.T) {
	e := apptest.Start(t, func(c *config.Config) { c.DisableUserPasswordChange = true })
	_, tok := e.AddUser("alice", 4)
	r := e.Call("user.passwordChange", tok, map[string]any{"user_password": "a new password", "user_passwordRepeat": "a new password"})
	wantError(t, r, 403, "password change is disabled")
}

// TestPasswordLock walks the contract's three cases in the order the
// front-end uses them, checking after each step what user.get and
// user.login say.
func TestPasswordLock(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	_, bobTok := e.AddUser("bob", 4)
	pw := apptest.Password("alice")
	lock := func(locked bool, code string) apptest.Response {
		return e.Call("user.passwordLock", tok, map[string]any{"user_password_locked": locked, "user_code": code})
	}
	locked := func() bool { return userAttrs(t, e, tok)["password_locked"].(bool) }

	wantError(t, lock(false, ""), 400, detailNotLocked)
	wantAck(t, lock(true, ""), "user")
	if !locked() {
		t.Fatal("user.get does not show the lock")
	}
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": pw}), 403, detailLocked)
	wantAck(t, lock(true, ""), "user") // locking again is harmless

	mails := mailCount(t, e)
	wantAck(t, lock(false, ""), "user")
	if mailCount(t, e) != mails+1 {
		t.Fatal("{false, \"\"} mailed no code")
	}
	code := e.LastCode("alice@example.com")
	if !locked() {
		t.Fatal("{false, \"\"} unlocked without a code")
	}
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": pw}), 403, detailLocked)

	// Bob's unlock code does not unlock alice.
	e.MustOK("user.passwordLock", bobTok, map[string]any{"user_password_locked": true, "user_code": ""})
	e.MustOK("user.passwordLock", bobTok, map[string]any{"user_password_locked": false, "user_code": ""})
	bobCode := e.LastCode("bob@example.com")

	for _, tc := range []struct {
		name, code string
	}{
		{"short code", "123"},
		{"unknown code", uuid.NewString()},
		{"another user's code", bobCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			wantError(t, lock(false, tc.code), 400, detailInvalidCode)
			if eventCount(e) != before || !locked() {
				t.Fatal("a wrong code changed something")
			}
		})
	}
	wantAck(t, lock(false, code), "user")
	if locked() {
		t.Fatal("the code did not unlock")
	}
	login(t, e, "alice", pw)

	// The code is single-use.
	wantAck(t, lock(true, ""), "user")
	wantError(t, lock(false, code), 400, detailInvalidCode)
}

func TestPasswordLockInput(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	for _, tc := range []struct {
		name   string
		body   any
		detail string
	}{
		{"missing", map[string]any{}, detailRequired},
		{"missing flag", map[string]any{"user_code": ""}, detailRequired},
		{"flag not a bool", map[string]any{"user_password_locked": "no", "user_code": ""}, ""},
		{"code not a string", map[string]any{"user_password_locked": false, "user_code": 36}, ""},
		{"code of the wrong length", map[string]any{"user_password_locked": false, "user_code": "abc"}, detailInvalidCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := eventCount(e)
			wantError(t, e.Call("user.passwordLock", tok, tc.body), 400, tc.detail)
			if eventCount(e) != before {
				t.Fatal("bad input wrote events")
			}
		})
	}
}
