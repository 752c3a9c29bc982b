package commands

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/passkey"
)

// Details of passkey failures. All are 400s: a failed ceremony is a bad
// request, never a 401 (which would end the front-end's session).
const (
	DetailPasskeysDisabled = "passkeys are disabled"
	DetailNoPasskeys       = "no passkey is registered for this user"
	DetailNoChallenge      = "the challenge has expired or was already used"
	DetailBadOrigin        = "wrong origin"
	DetailBadChallenge     = "wrong challenge"
	DetailPasskeyInvalid   = "the passkey response is invalid"
	DetailPasskeyEmail     = "the e-mail address differs from the one the passkey was requested for"
	DetailPasskeyRace      = "the passkey was used concurrently, try again"
)

// CredentialLookup lists a user's passkeys. It is implemented by the read
// models; the handlers load each credential's stream themselves, so a lag
// of the read model never lets a deleted credential in.
type CredentialLookup interface {
	// CredentialIDsOfUser lists the ids of userID's live credentials.
	CredentialIDsOfUser(ctx context.Context, userID int64) ([]int64, error)
}

// Passkeys is the per-process state the passkey handlers share: the
// ceremonies of package passkey with their pending challenges, and the
// user ids reserved for sign-ups between their two steps. Both live in
// this process's memory, so both steps of a ceremony must reach the same
// process. Build it with NewPasskeys; it is safe for concurrent use.
type Passkeys struct {
	svc   *passkey.Service
	creds CredentialLookup
	ttl   time.Duration
	clock func() time.Time

	mu      sync.Mutex
	signups map[string]signup // by login, as sent
}

// signup is a user id reserved by step 1 of a passkey sign-up.
type signup struct {
	userID  int64
	email   string
	expires time.Time
}

// NewPasskeys returns the passkey state around svc. ttl is how long a
// sign-up's reserved id is kept (svc's challenge TTL; 0 means
// passkey.DefaultChallengeTTL); clock may be nil (time.Now). It panics on
// nil dependencies (a wiring bug).
func NewPasskeys(svc *passkey.Service, creds CredentialLookup, ttl time.Duration, clock func() time.Time) *Passkeys {
	if svc == nil || creds == nil {
		panic("commands: NewPasskeys needs a passkey service and a credential lookup")
	}
	if ttl <= 0 {
		ttl = passkey.DefaultChallengeTTL
	}
	if clock == nil {
		clock = time.Now
	}
	return &Passkeys{svc: svc, creds: creds, ttl: ttl, clock: clock, signups: map[string]signup{}}
}

// passkeys returns d.Passkeys, or a 403 when passkeys are disabled.
func (d *Deps) passkeys() (*Passkeys, error) {
	if d.Passkeys == nil {
		return nil, domain.Forbidden(DetailPasskeysDisabled)
	}
	return d.Passkeys, nil
}

// reservedID returns the unexpired id reserved for a sign-up of login.
func (p *Passkeys) reservedID(login string) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.signups[login]
	if !ok || !p.clock().Before(s.expires) {
		return 0, false
	}
	return s.userID, true
}

// putSignup keeps the reservation of step 1, sweeping expired ones.
func (p *Passkeys) putSignup(login string, id int64, email string) {
	now := p.clock()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, s := range p.signups {
		if !now.Before(s.expires) {
			delete(p.signups, k)
		}
	}
	p.signups[login] = signup{userID: id, email: email, expires: now.Add(p.ttl)}
}

// takeSignup removes and returns login's unexpired reservation.
func (p *Passkeys) takeSignup(login string) (signup, bool) {
	p.mu.Lock()
	s, ok := p.signups[login]
	delete(p.signups, login)
	p.mu.Unlock()
	if !ok || !p.clock().Before(s.expires) {
		return signup{}, false
	}
	return s, true
}

// passkeyLogin is the first half of both login steps: passkeys must be
// on, the login given, the user known; it returns the user's live
// credentials.
func (d *Deps) passkeyLogin(ctx context.Context, login string) (*Passkeys, *user.User, []*credential.Credential, error) {
	p, err := d.passkeys()
	if err != nil {
		return nil, nil, nil, err
	}
	if login == "" {
		return nil, nil, nil, domain.Invalid("user_login", domain.DetailFieldRequired)
	}
	u, err := d.loadUserByLogin(ctx, login)
	if err != nil {
		return nil, nil, nil, err
	}
	creds, err := p.liveCredentials(ctx, d.Repo, u.ID())
	if err != nil {
		return nil, nil, nil, err
	}
	return p, u, creds, nil
}

// liveCredentials loads userID's credentials from their streams, skipping
// any that are deleted or not (any more) the user's.
func (p *Passkeys) liveCredentials(ctx context.Context, repo *Repo, userID int64) ([]*credential.Credential, error) {
	ids, err := p.creds.CredentialIDsOfUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("listing credentials of user %d: %w", userID, err)
	}
	out := make([]*credential.Credential, 0, len(ids))
	for _, id := range ids {
		c := credential.New()
		if _, err := repo.Load(ctx, credential.Stream(id), c); err != nil {
			return nil, err
		}
		if c.Live() && c.UserID() == userID {
			out = append(out, c)
		}
	}
	return out, nil
}

// passkeyUser is the WebAuthn view of u: its id is the user handle.
func passkeyUser(u *user.User) passkey.User { return passkeyUserOf(u.ID(), u.Login()) }

func passkeyUserOf(id int64, login string) passkey.User { return passkey.User{ID: id, Login: login} }

// toPasskeys turns stored credentials into what package passkey verifies
// against.
func toPasskeys(creds []*credential.Credential) []passkey.Credential {
	out := make([]passkey.Credential, 0, len(creds))
	for _, c := range creds {
		raw, err := base64.RawURLEncoding.DecodeString(c.KeyID())
		if err != nil {
			continue // Register refuses such ids; nothing stored has one
		}
		out = append(out, passkey.Credential{ID: raw, PublicKey: c.PublicKey(), AAGUID: c.AAGUID(),
			SignCount: c.SignCount(), AttestationType: c.AttestationType(), Transports: c.Transports(),
			BackupEligible: c.BackupEligible()})
	}
	return out
}

// passkeyErrors maps package passkey's sentinels to details.
var passkeyErrors = []struct {
	sentinel error
	detail   string
}{
	{passkey.ErrNoChallenge, DetailNoChallenge},
	{passkey.ErrBadOrigin, DetailBadOrigin},
	{passkey.ErrBadChallenge, DetailBadChallenge},
	{passkey.ErrUnknownCredential, credential.DetailUnknown},
	{passkey.ErrCloned, credential.DetailCloned},
	{passkey.ErrInvalid, DetailPasskeyInvalid},
}

// passkeyError turns a ceremony failure into a 400 with a clear detail;
// the cause stays in Err, for the log. Other errors pass unchanged.
func passkeyError(err error) error {
	for _, m := range passkeyErrors {
		if errors.Is(err, m.sentinel) {
			return &domain.Error{Kind: domain.KindInvalid, Detail: m.detail, Err: err}
		}
	}
	return err
}
