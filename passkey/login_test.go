package passkey_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/uivmm/uivmm/passkey"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

func TestRegisterThenLogin(t *testing.T) {
	f := newFixture(t)
	a := softauthn.New(origin)
	cred := f.register(a, alice)

	for i, opts := range [][]softauthn.Option{nil, {softauthn.WithoutUserHandle()}} {
		options := f.beginLogin(alice, cred)
		res, err := f.svc.FinishLogin(alice.Login, alice, []passkey.Credential{cred}, answer(t, a, options, opts...))
		if err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
		if !bytes.Equal(res.CredentialID, cred.ID) || res.NewSignCount != uint32(i+1) {
			t.Fatalf("login %d: result %+v, want id %x count %d", i+1, res, cred.ID, i+1)
		}
		cred.SignCount = res.NewSignCount
	}
	if f.svc.Pending() != 0 {
		t.Fatalf("challenge not consumed: %d pending", f.svc.Pending())
	}
}

// loginSetup is alice with two registered authenticators.
type loginSetup struct {
	*fixture
	a, b         *softauthn.Authenticator
	credA, credB passkey.Credential
}

func newLoginSetup(t *testing.T) *loginSetup {
	f := newFixture(t)
	s := &loginSetup{fixture: f, a: softauthn.New(origin), b: softauthn.New(origin)}
	s.credA = f.register(s.a, alice)
	s.credB = f.register(s.b, alice, s.credA)
	return s
}

func (s *loginSetup) both() []passkey.Credential { return []passkey.Credential{s.credA, s.credB} }

// finish calls FinishLogin for alice with creds.
func (s *loginSetup) finish(creds []passkey.Credential, body []byte) error {
	_, err := s.svc.FinishLogin(alice.Login, alice, creds, body)
	return err
}

func TestFinishLoginRefused(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *loginSetup) error
		want error
	}{
		{"never begun", func(t *testing.T, s *loginSetup) error {
			return s.finish(s.both(), answer(t, s.a, s.foreignOptions(t)))
		}, passkey.ErrNoChallenge},
		{"replayed assertion", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			if err := s.finish(s.both(), body); err != nil {
				t.Fatalf("first finish: %v", err)
			}
			return s.finish(s.both(), body)
		}, passkey.ErrNoChallenge},
		{"replayed assertion against a new challenge", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			if err := s.finish(s.both(), body); err != nil {
				t.Fatalf("first finish: %v", err)
			}
			s.beginLogin(alice, s.both()...)
			return s.finish(s.both(), body)
		}, passkey.ErrBadChallenge},
		{"wrong origin", func(t *testing.T, s *loginSetup) error {
			s.a.SetOrigin("https://vmm.example.com.evil.test")
			return s.finish(s.both(), answer(t, s.a, s.beginLogin(alice, s.both()...)))
		}, passkey.ErrBadOrigin},
		{"answer to a failed challenge", func(t *testing.T, s *loginSetup) error {
			options := s.beginLogin(alice, s.both()...)
			evil := answer(t, s.a, options, softauthn.WithOrigin("http://vmm.example.com"))
			wantOnly(t, s.finish(s.both(), evil), passkey.ErrBadOrigin)
			return s.finish(s.both(), answer(t, s.a, options))
		}, passkey.ErrNoChallenge},
		{"old challenge", func(t *testing.T, s *loginSetup) error {
			old, err := softauthn.Challenge(s.beginLogin(alice, s.both()...))
			if err != nil {
				t.Fatal(err)
			}
			options := s.beginLogin(alice, s.both()...)
			return s.finish(s.both(), answer(t, s.a, options, softauthn.WithChallenge(old)))
		}, passkey.ErrBadChallenge},
		{"expired challenge", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			s.clock.Advance(ttl)
			return s.finish(s.both(), body)
		}, passkey.ErrNoChallenge},
		{"unknown credential", func(t *testing.T, s *loginSetup) error {
			stranger := softauthn.New(origin)
			s.register(stranger, bob)
			options := s.beginLogin(alice, s.both()...)
			id := stranger.CredentialIDs()[0]
			return s.finish(s.both(), answer(t, stranger, options, softauthn.WithCredential(id)))
		}, passkey.ErrUnknownCredential},
		{"credential deleted after begin", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			return s.finish([]passkey.Credential{s.credB}, body)
		}, passkey.ErrUnknownCredential},
		{"credential not in allowCredentials", func(t *testing.T, s *loginSetup) error {
			options := s.beginLogin(alice, s.credB)
			body := answer(t, s.a, options, softauthn.WithCredential(s.credA.ID))
			return s.finish(s.both(), body)
		}, passkey.ErrUnknownCredential},
		{"counter rewound", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			res, err := s.svc.FinishLogin(alice.Login, alice, s.both(), body)
			if err != nil {
				t.Fatalf("first login: %v", err)
			}
			s.credA.SignCount = res.NewSignCount
			if err := s.a.SetCounter(s.credA.ID, 0); err != nil {
				t.Fatal(err)
			}
			return s.finish(s.both(), answer(t, s.a, s.beginLogin(alice, s.both()...)))
		}, passkey.ErrCloned},
		{"counter behind the stored one", func(t *testing.T, s *loginSetup) error {
			s.credA.SignCount = 41
			if err := s.a.SetCounter(s.credA.ID, 30); err != nil {
				t.Fatal(err)
			}
			return s.finish(s.both(), answer(t, s.a, s.beginLogin(alice, s.both()...)))
		}, passkey.ErrCloned},
		{"forged signature", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			body = mutateResponse(t, body, "authenticatorData", func(b []byte) []byte {
				b[36]++ // claim another counter than the one signed
				return b
			})
			return s.finish(s.both(), body)
		}, passkey.ErrInvalid},
		{"signature by another key", func(t *testing.T, s *loginSetup) error {
			options := s.beginLogin(alice, s.both()...)
			sig := responseField(t, answer(t, s.b, options), "signature")
			body := mutateResponse(t, answer(t, s.a, options), "signature", func([]byte) []byte { return sig })
			return s.finish(s.both(), body)
		}, passkey.ErrInvalid},
		{"challenge issued to another user", func(t *testing.T, s *loginSetup) error {
			body := answer(t, s.a, s.beginLogin(alice, s.both()...))
			_, err := s.svc.FinishLogin(alice.Login, bob, s.both(), body)
			return err
		}, passkey.ErrInvalid},
		{"malformed body", func(t *testing.T, s *loginSetup) error {
			s.beginLogin(alice, s.both()...)
			return s.finish(s.both(), []byte(`[]`))
		}, passkey.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantOnly(t, tc.run(t, newLoginSetup(t)), tc.want)
		})
	}
}

// foreignOptions returns request options for alice's credentials issued by
// another Service, so the one under test has no pending challenge.
func (s *loginSetup) foreignOptions(t *testing.T) []byte {
	other := newFixture(t)
	return other.beginLogin(alice, s.both()...)
}

// responseField returns the decoded bytes of body.response[field].
func responseField(t *testing.T, body []byte, field string) []byte {
	var out []byte
	mutateResponse(t, body, field, func(b []byte) []byte { out = b; return b })
	return out
}

func TestLoginSurvivesDeletionOfAnotherCredential(t *testing.T) {
	s := newLoginSetup(t)
	body := answer(t, s.a, s.beginLogin(alice, s.both()...))
	res, err := s.svc.FinishLogin(alice.Login, alice, []passkey.Credential{s.credA}, body)
	if err != nil || !bytes.Equal(res.CredentialID, s.credA.ID) {
		t.Fatalf("login with the remaining credential: %+v, %v", res, err)
	}
}

func TestBeginLoginWithoutCredentials(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.BeginLogin(alice, nil)
	wantOnly(t, err, passkey.ErrUnknownCredential)
}

// TestFinishAcceptsFrontEndRequests passes the whole request bodies the
// front-end posts (CONTRACT.md §6), which carry its own members too.
func TestFinishAcceptsFrontEndRequests(t *testing.T) {
	f := newFixture(t)
	a := softauthn.New(origin)
	options, err := f.svc.BeginRegistration(alice, nil, "direct", "platform")
	if err != nil {
		t.Fatal(err)
	}
	body, err := a.Register(options)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := f.svc.FinishRegistration(alice.Login, withMembers(t, body,
		`{"user_login":"alice","user_email":"alice@example.com","user_register":true}`))
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	body = answer(t, a, f.beginLogin(alice, cred))
	if _, err := f.svc.FinishLogin(alice.Login, alice, []passkey.Credential{cred},
		withMembers(t, body, `{"user_login":"alice"}`)); err != nil {
		t.Fatalf("FinishLogin: %v", err)
	}
}

// withMembers merges the members of the JSON object extra into body.
func withMembers(t *testing.T, body []byte, extra string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(extra), &m); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
