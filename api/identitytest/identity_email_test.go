package identitytest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app/apptest"
)

func TestEmailChange(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	e.AddUser("bob", 4)
	change := func(email, code string) apptest.Response {
		return e.Call("user.emailChange", tok, map[string]any{"user_email": email, "user_code": code})
	}

	for _, tc := range []struct {
		name, email string
		status      int
		detail      string
	}{
		{"empty", "", 400, detailRequired},
		{"not an address", "alice-at-example", 400, detailInvalidEmail},
		{"display name", "Alice <alice@new.example>", 400, detailInvalidEmail},
		{"bob's address", "bob@example.com", 409, detailOccupied},
		{"bob's address in capitals", "BOB@example.com", 409, detailOccupied},
		{"the current address", "alice@example.com", 400, "this is already your e-mail address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, mails := eventCount(e), mailCount(t, e)
			wantError(t, change(tc.email, ""), tc.status, tc.detail)
			if eventCount(e) != before || mailCount(t, e) != mails {
				t.Fatal("a refused step 1 wrote events or mail")
			}
		})
	}

	wantAck(t, change("alice@new.example", ""), "user")
	code := e.LastCode("alice@new.example")
	if got := userAttrs(t, e, tok)["email"]; got != "alice@example.com" {
		t.Fatalf("step 1 changed the address to %v", got)
	}
	wantError(t, change("alice@new.example", uuid.NewString()), 400, detailInvalidCode)
	wantError(t, change("other@new.example", code), 400, detailInvalidCode)
	wantAck(t, change("alice@new.example", code), "user")
	if got := userAttrs(t, e, tok)["email"]; got != "alice@new.example" {
		t.Fatalf("after step 2 the address is %v", got)
	}
	login(t, e, "alice@new.example", apptest.Password("alice"))
	wantError(t, change("alice@new.example", code), 400, detailInvalidCode) // single-use

	// The old address is free again, the new one is taken.
	register(t, e, "carol", "alice@example.com", "carol's password")
	wantError(t, e.Call("user.register", "", map[string]any{"user_login": "dave", "user_email": "alice@new.example",
		"user_password": "dave's password", "user_passwordRepeat": "dave's password"}), 409, detailOccupied)
}

// TestEmailChangeRace: the address is free at step 1 but taken before
// step 2; the claim refuses it and nothing changes.
func TestEmailChangeRace(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	e.MustOK("user.emailChange", tok, map[string]any{"user_email": "wanted@example.org", "user_code": ""})
	code := e.LastCode("wanted@example.org")
	register(t, e, "mallory", "wanted@example.org", "mallory's password")
	before := eventTypes(e)
	wantError(t, e.Call("user.emailChange", tok, map[string]any{"user_email": "wanted@example.org", "user_code": code}), 409, detailOccupied)
	if after := eventTypes(e); after["user:email_changed"] != before["user:email_changed"] {
		t.Fatal("the change was recorded")
	}
	if got := userAttrs(t, e, tok)["email"]; got != "alice@example.com" {
		t.Fatalf("address is %v", got)
	}
	// alice still holds her old address.
	wantError(t, e.Call("user.register", "", map[string]any{"user_login": "eve", "user_email": "alice@example.com",
		"user_password": "eve's password", "user_passwordRepeat": "eve's password"}), 409, detailOccupied)
}

// TestEmailChangeCaseOnly: changing only the case keeps the address
// claimed by its owner.
func TestEmailChangeCaseOnly(t *testing.T) {
	e := apptest.Start(t)
	_, tok := e.AddUser("alice", 4)
	e.MustOK("user.emailChange", tok, map[string]any{"user_email": "Alice@example.com", "user_code": ""})
	e.MustOK("user.emailChange", tok, map[string]any{"user_email": "Alice@example.com", "user_code": e.LastCode("Alice@example.com")})
	if got := userAttrs(t, e, tok)["email"]; got != "Alice@example.com" {
		t.Fatalf("address is %v", got)
	}
	wantError(t, e.Call("user.register", "", map[string]any{"user_login": "eve", "user_email": "alice@example.com",
		"user_password": "eve's password", "user_passwordRepeat": "eve's password"}), 409, detailOccupied)
}
