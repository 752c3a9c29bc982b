package identitytest

import (
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
)

// TestBadInput sends malformed bodies, wrong types and missing fields to
// every method of this issue: each is a 400 with a detail (naming the
// field for a wrong type), and nothing is recorded.
func TestBadInput(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	methods := []string{"token.create", "token.revoke", "ssh-key.add", "ssh-key.delete",
		"user.passwordChange", "user.passwordLock", "user.emailChange", "user.recovery"}
	type tc struct {
		name, method, body, detail string
	}
	var cases []tc
	for _, m := range methods {
		cases = append(cases,
			tc{"not json", m, `{"user_login":`, "the request body is not valid JSON"},
			tc{"an array", m, `[]`, "the request body must be a JSON object"},
			tc{"a string", m, `"hello"`, "the request body must be a JSON object"},
		)
	}
	cases = append(cases,
		tc{"missing lifetime", "token.create", `{}`, detailRequired},
		tc{"lifetime as bool", "token.create", `{"token_lifetime":true}`, "token_lifetime"},
		tc{"revoke_all as string", "token.create", `{"token_lifetime":60,"token_revoke_all":"true"}`, "token_revoke_all"},
		tc{"missing token name", "token.revoke", `{}`, detailRequired},
		tc{"token name as object", "token.revoke", `{"token_name":{}}`, "token_name"},
		tc{"missing key", "ssh-key.add", `{}`, detailKeyEmpty},
		tc{"key as number", "ssh-key.add", `{"key_name":"x","key_public":1}`, "key_public"},
		tc{"missing key id", "ssh-key.delete", `{}`, detailKeyIDEmpty},
		tc{"key id as bool", "ssh-key.delete", `{"key_id":true}`, "key_id"},
		tc{"key id as fraction", "ssh-key.delete", `{"key_id":1.5}`, "key_id"},
		tc{"missing password", "user.passwordChange", `{}`, detailRequired},
		tc{"password as array", "user.passwordChange", `{"user_password":[],"user_passwordRepeat":[]}`, "user_password"},
		tc{"missing lock flag", "user.passwordLock", `{}`, detailRequired},
		tc{"lock flag as number", "user.passwordLock", `{"user_password_locked":1,"user_code":""}`, "user_password_locked"},
		tc{"missing email", "user.emailChange", `{"user_code":""}`, detailRequired},
		tc{"email as number", "user.emailChange", `{"user_email":5,"user_code":""}`, "user_email"},
		tc{"code of wrong length", "user.emailChange", `{"user_email":"a@b.example","user_code":"abc"}`, detailInvalidCode},
		tc{"nothing to recover", "user.recovery", `{}`, detailRequired},
		tc{"code as number", "user.recovery", `{"user_code":5}`, "user_code"},
	)
	for _, c := range cases {
		t.Run(c.method+"/"+c.name, func(t *testing.T) {
			before := eventCount(e)
			r := e.Call(c.method, tok, c.body)
			if r.Status != 400 {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Raw)
			}
			if d := r.Detail(); !strings.Contains(d, c.detail) {
				t.Fatalf("detail %q does not mention %q", d, c.detail)
			}
			if n := eventCount(e); n != before {
				t.Fatalf("bad input wrote %d events", n-before)
			}
		})
	}
}
