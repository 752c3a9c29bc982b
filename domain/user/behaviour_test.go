package user_test

import (
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

var now = time.Unix(1_700_000_000, 0)

var registered = &user.Registered{UserID: 7, Login: "alice", Email: "alice@example.org", Group: 4,
	PasswordHash: "$argon2id$old", Active: true, Via: "cli", At: now.Unix()}

func code(purpose, hash, email string) *user.CodeIssued {
	return &user.CodeIssued{Purpose: purpose, CodeHash: hash, Email: email, ExpiresAt: now.Add(time.Hour).Unix(), At: now.Unix()}
}

func given(events ...domain.Event) *user.User {
	u := user.New()
	for i, e := range events {
		u.When(e)
		u.Root().Loaded(uint64(i))
	}
	return u
}

// TestPasswordAndEmailFlows: given a history, when a behaviour runs, then
// these event types are recorded or this error is returned.
func TestPasswordAndEmailFlows(t *testing.T) {
	locked := &user.PasswordLocked{At: now.Unix()}
	for _, tc := range []struct {
		name   string
		given  []domain.Event
		when   func(u *user.User) error
		want   []string // event types
		detail string   // expected error detail
	}{
		{name: "lock", given: []domain.Event{registered},
			when: func(u *user.User) error { u.Lock(now); return nil }, want: []string{user.TypePasswordLocked}},
		{name: "lock twice records nothing", given: []domain.Event{registered, locked},
			when: func(u *user.User) error { u.Lock(now); return nil }},
		{name: "unlock with the code", given: []domain.Event{registered, locked, code(user.PurposeUnlock, "h1", "alice@example.org")},
			when: func(u *user.User) error { return u.Unlock("h1", now) }, want: []string{user.TypePasswordUnlocked}},
		{name: "unlock with a wrong code", given: []domain.Event{registered, locked, code(user.PurposeUnlock, "h1", "alice@example.org")},
			when: func(u *user.User) error { return u.Unlock("h2", now) }, detail: user.DetailInvalidCode},
		{name: "unlock with a recovery code", given: []domain.Event{registered, locked, code(user.PurposeRecovery, "h1", "alice@example.org")},
			when: func(u *user.User) error { return u.Unlock("h1", now) }, detail: user.DetailInvalidCode},
		{name: "unlock with an expired code", given: []domain.Event{registered, locked, code(user.PurposeUnlock, "h1", "alice@example.org")},
			when: func(u *user.User) error { return u.Unlock("h1", now.Add(2*time.Hour)) }, detail: user.DetailInvalidCode},
		{name: "unlock when not locked", given: []domain.Event{registered},
			when: func(u *user.User) error { return u.Unlock("h1", now) }, detail: user.DetailNotLocked},
		{name: "change password", given: []domain.Event{registered},
			when: func(u *user.User) error { return u.ChangePassword("$argon2id$new", now) }, want: []string{user.TypePasswordChanged}},
		{name: "change a locked password", given: []domain.Event{registered, locked},
			when: func(u *user.User) error { return u.ChangePassword("$argon2id$new", now) }, detail: user.DetailLocked},
		{name: "check a code records nothing", given: []domain.Event{registered, code(user.PurposeEmail, "h1", "new@example.org")},
			when: func(u *user.User) error { return u.CheckCode(user.PurposeEmail, "h1", now) }},
		{name: "change e-mail", given: []domain.Event{registered, code(user.PurposeEmail, "h1", "new@example.org")},
			when: func(u *user.User) error { _, err := u.ChangeEmail("h1", now); return err }, want: []string{user.TypeEmailChanged}},
		{name: "reset a locked password", given: []domain.Event{registered, locked, code(user.PurposeRecovery, "h1", "alice@example.org")},
			when: func(u *user.User) error { return u.ResetPassword("h1", "$argon2id$new", now) }, detail: user.DetailLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := given(tc.given...)
			err := tc.when(u)
			if tc.detail != "" {
				if de, ok := domain.As(err); !ok || de.Detail != tc.detail {
					t.Fatalf("error %v, want %q", err, tc.detail)
				}
				if len(u.Root().Changes()) != 0 {
					t.Fatal("a refused behaviour recorded events")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range u.Root().Changes() {
				got = append(got, e.EventType())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("recorded %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("recorded %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestCodesAreSingleUse: after a code is used, When has forgotten it.
func TestCodesAreSingleUse(t *testing.T) {
	u := given(registered, code(user.PurposeEmail, "h1", "new@example.org"))
	if _, err := u.ChangeEmail("h1", now); err != nil {
		t.Fatal(err)
	}
	if u.Email() != "new@example.org" {
		t.Fatalf("email %q", u.Email())
	}
	if err := u.CheckCode(user.PurposeEmail, "h1", now); err == nil {
		t.Fatal("a used code still checks")
	}
}
