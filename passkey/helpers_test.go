package passkey_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/passkey"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

const (
	rpID   = "vmm.example.com"
	origin = "https://vmm.example.com"
	ttl    = 5 * time.Minute
)

var (
	alice = passkey.User{ID: 7, Login: "alice", DisplayName: "Alice A."}
	bob   = passkey.User{ID: 8, Login: "bob"}
)

// sentinels are all errors a ceremony may match; each failure matches one.
var sentinels = []error{
	passkey.ErrNoChallenge, passkey.ErrBadOrigin, passkey.ErrBadChallenge,
	passkey.ErrUnknownCredential, passkey.ErrCloned, passkey.ErrInvalid,
}

// fakeClock is a settable clock for challenge expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t     *testing.T
	svc   *passkey.Service
	clock *fakeClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc, err := passkey.New(passkey.Config{
		RPID: rpID, RPDisplayName: "ui-vmm", RPOrigins: []string{origin}, ChallengeTTL: ttl,
	}, clock.Now)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &fixture{t: t, svc: svc, clock: clock}
}

// register runs a whole registration of a new credential on a for u.
func (f *fixture) register(a *softauthn.Authenticator, u passkey.User, existing ...passkey.Credential) passkey.Credential {
	f.t.Helper()
	options, err := f.svc.BeginRegistration(u, existing, "", "")
	if err != nil {
		f.t.Fatalf("BeginRegistration: %v", err)
	}
	body, err := a.Register(options)
	if err != nil {
		f.t.Fatalf("softauthn Register: %v", err)
	}
	cred, err := f.svc.FinishRegistration(u.Login, body)
	if err != nil {
		f.t.Fatalf("FinishRegistration: %v", err)
	}
	return cred
}

// beginLogin starts a login and fails the test on error.
func (f *fixture) beginLogin(u passkey.User, creds ...passkey.Credential) json.RawMessage {
	f.t.Helper()
	options, err := f.svc.BeginLogin(u, creds)
	if err != nil {
		f.t.Fatalf("BeginLogin: %v", err)
	}
	return options
}

// answer lets a answer options and fails the test on error.
func answer(t *testing.T, a *softauthn.Authenticator, options json.RawMessage, opts ...softauthn.Option) []byte {
	t.Helper()
	body, err := a.Login(options, opts...)
	if err != nil {
		t.Fatalf("softauthn Login: %v", err)
	}
	return body
}

// wantOnly fails unless err matches want and no other sentinel.
func wantOnly(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Fatalf("error %v also matches %v", err, s)
		}
	}
}

// mutateResponse rewrites body.response[field] with fn applied to its bytes.
func mutateResponse(t *testing.T, body []byte, field string, fn func([]byte) []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	resp := m["response"].(map[string]any)
	raw, err := base64.RawURLEncoding.DecodeString(resp[field].(string))
	if err != nil {
		t.Fatal(err)
	}
	resp[field] = base64.RawURLEncoding.EncodeToString(fn(raw))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stdField decodes a standard-base64 string member and fails on the URL
// alphabet, as atob does.
func stdField(t *testing.T, s any) []byte {
	t.Helper()
	str, ok := s.(string)
	if !ok {
		t.Fatalf("binary member is %T, want string", s)
	}
	b, err := base64.StdEncoding.DecodeString(str)
	if err != nil {
		t.Fatalf("member %q is not standard base64: %v", str, err)
	}
	return b
}

func decodeObject(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("options are not a JSON object: %v", err)
	}
	return m
}
