package softauthn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
)

// Errors a well-behaved browser/authenticator would raise instead of answering.
var (
	// ErrExcluded: the authenticator already holds a credential listed in
	// excludeCredentials (the browser's InvalidStateError).
	ErrExcluded = errors.New("softauthn: authenticator holds an excluded credential")
	// ErrNoCredential: no held credential matches the RP and allowCredentials
	// (the browser's NotAllowedError).
	ErrNoCredential = errors.New("softauthn: no matching credential")
	// ErrUnsupported: the options do not offer ES256 (alg -7).
	ErrUnsupported = errors.New("softauthn: es256 not offered")
)

// credential is one key pair held by the authenticator.
type credential struct {
	id         []byte
	key        *ecdsa.PrivateKey
	rpID       string
	userHandle []byte
	counter    uint32
}

// Authenticator is a software authenticator together with the browser that
// drives it. The zero value is not usable; create one with New. All methods
// are safe for concurrent use.
type Authenticator struct {
	mu     sync.Mutex
	origin string
	aaguid [16]byte
	creds  []*credential
}

// New returns an authenticator whose browser runs at origin (e.g.
// "https://vmm.example.com") and that has a random AAGUID.
func New(origin string) *Authenticator {
	a := &Authenticator{origin: origin}
	_, _ = rand.Read(a.aaguid[:]) // crypto/rand.Read never fails
	return a
}

// SetOrigin changes the origin written into clientDataJSON from now on.
func (a *Authenticator) SetOrigin(origin string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.origin = origin
}

// AAGUID returns the authenticator's AAGUID.
func (a *Authenticator) AAGUID() []byte {
	return bytes.Clone(a.aaguid[:])
}

// CredentialIDs returns the ids of the held credentials, oldest first.
func (a *Authenticator) CredentialIDs() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([][]byte, 0, len(a.creds))
	for _, c := range a.creds {
		ids = append(ids, bytes.Clone(c.id))
	}
	return ids
}

// Counter returns the signature counter last used by credential id.
func (a *Authenticator) Counter(id []byte) (uint32, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.find(id)
	if c == nil {
		return 0, false
	}
	return c.counter, true
}

// SetCounter sets (or rewinds) the counter of credential id; the next
// assertion with it signs n+1.
func (a *Authenticator) SetCounter(id []byte, n uint32) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.find(id)
	if c == nil {
		return fmt.Errorf("credential %x: %w", id, ErrNoCredential)
	}
	c.counter = n
	return nil
}

// find returns the held credential with id, or nil. Callers hold a.mu.
func (a *Authenticator) find(id []byte) *credential {
	for _, c := range a.creds {
		if bytes.Equal(c.id, id) {
			return c
		}
	}
	return nil
}

// newCredential creates a key pair and a random 32-byte credential id.
func newCredential(rpID string, userHandle []byte) (*credential, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &credential{id: id, key: key, rpID: rpID, userHandle: userHandle}, nil
}

// Option changes how one ceremony is answered, for negative tests.
type Option func(*ceremony)

// ceremony collects the options of one Register or Login call.
type ceremony struct {
	origin          string
	challenge       []byte
	credentialID    []byte
	noUserHandle    bool
	ignoreExclusion bool
}

// WithOrigin answers from origin instead of the authenticator's origin.
func WithOrigin(origin string) Option { return func(c *ceremony) { c.origin = origin } }

// WithChallenge answers raw instead of the challenge in the options (for
// instance an old one obtained with Challenge).
func WithChallenge(raw []byte) Option {
	return func(c *ceremony) { c.challenge = bytes.Clone(raw) }
}

// WithCredential makes Login sign with the held credential id, whether or not
// the options allow it, and makes Register announce that held credential
// again (a fresh attestation for an existing id) instead of creating one.
func WithCredential(id []byte) Option {
	return func(c *ceremony) { c.credentialID = bytes.Clone(id) }
}

// WithoutUserHandle makes Login send userHandle "" (allowed by the contract).
func WithoutUserHandle() Option { return func(c *ceremony) { c.noUserHandle = true } }

// IgnoreExclusions makes Register create a credential even when the
// authenticator holds one listed in excludeCredentials.
func IgnoreExclusions() Option { return func(c *ceremony) { c.ignoreExclusion = true } }

func (a *Authenticator) ceremony(opts []Option) ceremony {
	c := ceremony{origin: a.origin}
	for _, o := range opts {
		o(&c)
	}
	return c
}
