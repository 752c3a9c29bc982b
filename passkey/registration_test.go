package passkey_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/uivmm/uivmm/passkey"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

func TestRegistrationReturnsPublicRecord(t *testing.T) {
	f := newFixture(t)
	a := softauthn.New(origin)

	cred := f.register(a, alice)

	if ids := a.CredentialIDs(); len(ids) != 1 || !bytes.Equal(ids[0], cred.ID) {
		t.Fatalf("credential id %x, authenticator holds %x", cred.ID, ids)
	}
	if len(cred.PublicKey) == 0 || cred.PublicKey[0]&0xe0 != 0xa0 {
		t.Fatalf("public key %x is not a COSE map", cred.PublicKey)
	}
	if !bytes.Equal(cred.AAGUID, a.AAGUID()) {
		t.Fatalf("aaguid %x, want %x", cred.AAGUID, a.AAGUID())
	}
	if cred.SignCount != 0 || cred.AttestationType != "none" || cred.BackupEligible {
		t.Fatalf("unexpected record %+v", cred)
	}
	if f.svc.Pending() != 0 {
		t.Fatalf("challenge not consumed: %d pending", f.svc.Pending())
	}
}

func TestFinishRegistrationRefused(t *testing.T) {
	cases := []struct {
		name string
		// run performs the ceremony and returns the error of the Finish call
		// under test.
		run  func(f *fixture, a *softauthn.Authenticator) error
		want error
	}{
		{"never begun", func(f *fixture, a *softauthn.Authenticator) error {
			_, err := f.svc.FinishRegistration("alice", []byte(`{}`))
			return err
		}, passkey.ErrNoChallenge},
		{"wrong origin", func(f *fixture, a *softauthn.Authenticator) error {
			return f.finishRegistration(a, alice, nil, softauthn.WithOrigin("https://evil.example.com"))
		}, passkey.ErrBadOrigin},
		{"old challenge", func(f *fixture, a *softauthn.Authenticator) error {
			old, _ := f.svc.BeginRegistration(alice, nil, "", "")
			raw, err := softauthn.Challenge(old)
			if err != nil {
				t.Fatal(err)
			}
			return f.finishRegistration(a, alice, nil, softauthn.WithChallenge(raw))
		}, passkey.ErrBadChallenge},
		{"expired challenge", func(f *fixture, a *softauthn.Authenticator) error {
			options, _ := f.svc.BeginRegistration(alice, nil, "", "")
			body, _ := a.Register(options)
			f.clock.Advance(ttl)
			_, err := f.svc.FinishRegistration(alice.Login, body)
			return err
		}, passkey.ErrNoChallenge},
		{"replayed response", func(f *fixture, a *softauthn.Authenticator) error {
			options, _ := f.svc.BeginRegistration(alice, nil, "", "")
			body, _ := a.Register(options)
			if _, err := f.svc.FinishRegistration(alice.Login, body); err != nil {
				t.Fatalf("first finish: %v", err)
			}
			_, err := f.svc.FinishRegistration(alice.Login, body)
			return err
		}, passkey.ErrNoChallenge},
		{"login challenge", func(f *fixture, a *softauthn.Authenticator) error {
			existing := f.register(softauthn.New(origin), alice)
			f.beginLogin(alice, existing)
			_, err := f.svc.FinishRegistration(alice.Login, []byte(`{}`))
			return err
		}, passkey.ErrNoChallenge},
		{"excluded credential registered again", func(f *fixture, a *softauthn.Authenticator) error {
			existing := f.register(a, alice)
			return f.finishRegistration(a, alice, []passkey.Credential{existing},
				softauthn.IgnoreExclusions(), softauthn.WithCredential(existing.ID))
		}, passkey.ErrInvalid},
		{"tampered attestation", func(f *fixture, a *softauthn.Authenticator) error {
			options, _ := f.svc.BeginRegistration(alice, nil, "", "")
			body, _ := a.Register(options)
			body = mutateResponse(t, body, "attestationObject", func(b []byte) []byte { return b[:len(b)-3] })
			_, err := f.svc.FinishRegistration(alice.Login, body)
			return err
		}, passkey.ErrInvalid},
		{"malformed body", func(f *fixture, a *softauthn.Authenticator) error {
			if _, err := f.svc.BeginRegistration(alice, nil, "", ""); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.FinishRegistration(alice.Login, []byte(`{"id":`))
			return err
		}, passkey.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			wantOnly(t, tc.run(f, softauthn.New(origin)), tc.want)
		})
	}
}

// finishRegistration begins a registration for u with existing credentials,
// lets a answer it with opts and returns the error of FinishRegistration.
func (f *fixture) finishRegistration(a *softauthn.Authenticator, u passkey.User, existing []passkey.Credential, opts ...softauthn.Option) error {
	f.t.Helper()
	options, err := f.svc.BeginRegistration(u, existing, "", "")
	if err != nil {
		f.t.Fatalf("BeginRegistration: %v", err)
	}
	body, err := a.Register(options, opts...)
	if err != nil {
		f.t.Fatalf("softauthn Register: %v", err)
	}
	_, err = f.svc.FinishRegistration(u.Login, body)
	return err
}

func TestRegistrationExcludesExistingCredentials(t *testing.T) {
	f := newFixture(t)
	a := softauthn.New(origin)
	first := f.register(a, alice)

	options, err := f.svc.BeginRegistration(alice, []passkey.Credential{first}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Register(options); !errors.Is(err, softauthn.ErrExcluded) {
		t.Fatalf("authenticator holding an excluded credential answered: %v", err)
	}
	second := f.register(softauthn.New(origin), alice, first)
	if bytes.Equal(first.ID, second.ID) {
		t.Fatal("second authenticator reused the credential id")
	}
}

func TestBeginRegistrationArguments(t *testing.T) {
	cases := []struct {
		name                    string
		user                    passkey.User
		attestation, attachment string
		wantAtt, wantAttach     string
		wantErr                 error
	}{
		{"defaults", alice, "", "", "direct", "cross-platform", nil},
		{"apple device", alice, "none", "platform", "none", "platform", nil},
		{"indirect", alice, "indirect", "cross-platform", "indirect", "cross-platform", nil},
		{"enterprise", alice, "enterprise", "", "enterprise", "cross-platform", nil},
		{"unknown attestation", alice, "full", "", "", "", passkey.ErrInvalid},
		{"unknown attachment", alice, "", "usb", "", "", passkey.ErrInvalid},
		{"user without id", passkey.User{Login: "carol"}, "", "", "", "", passkey.ErrInvalid},
		{"user without login", passkey.User{ID: 9}, "", "", "", "", passkey.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			options, err := f.svc.BeginRegistration(tc.user, nil, tc.attestation, tc.attachment)
			if tc.wantErr != nil {
				wantOnly(t, err, tc.wantErr)
				if f.svc.Pending() != 0 {
					t.Fatal("a refused Begin left a challenge behind")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var o struct {
				Attestation            string `json:"attestation"`
				AuthenticatorSelection struct {
					AuthenticatorAttachment string `json:"authenticatorAttachment"`
				} `json:"authenticatorSelection"`
			}
			if err := json.Unmarshal(options, &o); err != nil {
				t.Fatal(err)
			}
			if o.Attestation != tc.wantAtt || o.AuthenticatorSelection.AuthenticatorAttachment != tc.wantAttach {
				t.Fatalf("attestation %q attachment %q, want %q %q", o.Attestation,
					o.AuthenticatorSelection.AuthenticatorAttachment, tc.wantAtt, tc.wantAttach)
			}
		})
	}
}
