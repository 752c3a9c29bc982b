package passkey

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// User is the account a ceremony is run for.
type User struct {
	// ID is the account's permanent id. It becomes the WebAuthn user handle
	// (8 bytes, big-endian) that authenticators store with the credential and
	// return at login, so it must be the final id of the account and never 0.
	ID int64
	// Login is the account's login name (user.name in the options).
	Login string
	// DisplayName is shown by the browser; empty means Login.
	DisplayName string
}

// Handle returns the WebAuthn user handle of u: ID as 8 big-endian bytes.
func (u User) Handle() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(u.ID))
}

func (u User) validate() error {
	if u.ID <= 0 {
		return fmt.Errorf("user id %d is not positive: %w", u.ID, ErrInvalid)
	}
	if u.Login == "" {
		return fmt.Errorf("user login is empty: %w", ErrInvalid)
	}
	return nil
}

// Credential is the public record of a registered passkey, as the caller
// stores it. It holds no secret.
type Credential struct {
	// ID is the credential id chosen by the authenticator (rawId).
	ID []byte
	// PublicKey is the credential public key, COSE-encoded.
	PublicKey []byte
	// AAGUID identifies the authenticator model (16 bytes, may be all zero).
	AAGUID []byte
	// SignCount is the last signature counter seen; update it from
	// LoginResult.NewSignCount after every successful login.
	SignCount uint32
	// AttestationType is the attestation type conveyed at registration
	// ("none", "self", "basic_full", …).
	AttestationType string
	// Transports are the transports the browser reported ("usb", "internal", …).
	Transports []string
	// BackupEligible is the BE flag from registration (synced passkeys set
	// it). It never changes, and login verification requires it to match.
	BackupEligible bool
}

// LoginResult is what a successful login changes in the stored credential.
type LoginResult struct {
	// CredentialID identifies the credential that signed the assertion.
	CredentialID []byte
	// NewSignCount is the counter to store for that credential.
	NewSignCount uint32
}

// Service runs registration and login ceremonies. It is safe for concurrent
// use by multiple goroutines. Its pending challenges are per-process memory;
// see the package documentation.
type Service struct {
	cfg      Config
	wa       *webauthn.WebAuthn
	sessions *sessions
}

// New validates cfg (after applying defaults) and returns a Service. clock
// supplies the current time for challenge expiry; nil means time.Now.
func New(cfg Config, clock func() time.Time) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("passkey config: %w", err)
	}
	if clock == nil {
		clock = time.Now
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          cfg.RPID,
		RPDisplayName: cfg.RPDisplayName,
		RPOrigins:     append([]string(nil), cfg.RPOrigins...),
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: cfg.Timeout, TimeoutUVD: cfg.Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: cfg.Timeout, TimeoutUVD: cfg.Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey config: %w", err)
	}
	return &Service{cfg: cfg, wa: wa, sessions: newSessions(cfg.ChallengeTTL, clock)}, nil
}

// Pending reports how many challenges the Service holds in memory, expired
// ones not yet swept included. It is meant for metrics and tests.
func (s *Service) Pending() int { return s.sessions.len() }

// waUser adapts a User and its credentials to go-webauthn's User interface.
type waUser struct {
	user  User
	creds []webauthn.Credential
}

func newWAUser(u User, creds []Credential) *waUser {
	w := &waUser{user: u, creds: make([]webauthn.Credential, 0, len(creds))}
	for _, c := range creds {
		w.creds = append(w.creds, c.toWebAuthn())
	}
	return w
}

func (w *waUser) WebAuthnID() []byte                         { return w.user.Handle() }
func (w *waUser) WebAuthnName() string                       { return w.user.Login }
func (w *waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func (w *waUser) WebAuthnDisplayName() string {
	if w.user.DisplayName != "" {
		return w.user.DisplayName
	}
	return w.user.Login
}

func (c Credential) toWebAuthn() webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, 0, len(c.Transports))
	for _, t := range c.Transports {
		transports = append(transports, protocol.AuthenticatorTransport(t))
	}
	var flags protocol.AuthenticatorFlags
	if c.BackupEligible {
		flags |= protocol.FlagBackupEligible
	}
	return webauthn.Credential{
		ID:              c.ID,
		PublicKey:       c.PublicKey,
		AttestationType: c.AttestationType,
		Transport:       transports,
		Flags:           webauthn.NewCredentialFlags(flags),
		Authenticator:   webauthn.Authenticator{AAGUID: c.AAGUID, SignCount: c.SignCount},
	}
}

func fromWebAuthn(c *webauthn.Credential) Credential {
	transports := make([]string, 0, len(c.Transport))
	for _, t := range c.Transport {
		transports = append(transports, string(t))
	}
	return Credential{
		ID:              c.ID,
		PublicKey:       c.PublicKey,
		AAGUID:          c.Authenticator.AAGUID,
		SignCount:       c.Authenticator.SignCount,
		AttestationType: c.AttestationType,
		Transports:      transports,
		BackupEligible:  c.Flags.BackupEligible,
	}
}

// classify wraps a go-webauthn verification error in the matching sentinel.
func classify(err error) error {
	var unknown *protocol.ErrorUnknownCredential
	if errors.As(err, &unknown) {
		return fmt.Errorf("%w: %w", ErrUnknownCredential, err)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}
