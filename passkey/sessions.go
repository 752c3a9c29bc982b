package passkey

import (
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// purpose separates the two ceremonies so that a registration challenge can
// never answer a login and vice versa.
type purpose string

const (
	purposeRegistration purpose = "registration"
	purposeLogin        purpose = "login"
)

type sessionKey struct {
	purpose purpose
	login   string
}

// pending is one issued challenge waiting for its Finish call.
type pending struct {
	data    webauthn.SessionData
	user    User     // registration: the account the credential is for
	exclude [][]byte // registration: credential ids the user already has
	expires time.Time
}

// sessions is the in-memory, per-process store of pending challenges.
//
// It is safe for concurrent use. Entries are single-use (take deletes) and
// expire after ttl; expired entries are swept on every put, so the map holds
// at most the ceremonies begun within one ttl.
type sessions struct {
	mu    sync.Mutex
	ttl   time.Duration
	clock func() time.Time
	byKey map[sessionKey]pending
}

func newSessions(ttl time.Duration, clock func() time.Time) *sessions {
	return &sessions{ttl: ttl, clock: clock, byKey: make(map[sessionKey]pending)}
}

// put stores p under key, replacing (and so invalidating) any pending
// challenge with the same key.
func (s *sessions) put(key sessionKey, p pending) {
	now := s.clock()
	p.expires = now.Add(s.ttl)

	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.byKey {
		if !now.Before(v.expires) {
			delete(s.byKey, k)
		}
	}
	s.byKey[key] = p
}

// take removes and returns the pending challenge under key. It reports false
// when there is none or when it has expired; either way the key is gone
// afterwards, so a challenge is answered at most once.
func (s *sessions) take(key sessionKey) (pending, bool) {
	now := s.clock()

	s.mu.Lock()
	p, ok := s.byKey[key]
	delete(s.byKey, key)
	s.mu.Unlock()

	if !ok || !now.Before(p.expires) {
		return pending{}, false
	}
	return p, true
}

// len reports the number of stored entries, expired ones included.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey)
}
