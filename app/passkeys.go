package app

import (
	"fmt"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/passkey"
)

// webAuthnEnabled reports whether passkeys are on: webauthn.enabled, or
// an rp_id configured (the original had no switch; its rp_id was enough).
func webAuthnEnabled(w config.WebAuthn) bool { return w.Enabled || w.RPID != "" }

// newPasskeys builds the passkey ceremonies of this process, or returns
// nil when passkeys are off. The relying party is checked here, so a bad
// rp_id or origin stops the start. Without rp_origins, the origin is
// https://<rp_id>.
func newPasskeys(w config.WebAuthn, creds commands.CredentialLookup) (*commands.Passkeys, error) {
	if !webAuthnEnabled(w) {
		return nil, nil
	}
	origins := w.RPOrigins
	if len(origins) == 0 {
		origins = []string{"https://" + w.RPID}
	}
	ttl := w.ChallengeTTL.Duration
	if ttl <= 0 {
		ttl = passkey.DefaultChallengeTTL
	}
	svc, err := passkey.New(passkey.Config{RPID: w.RPID, RPDisplayName: w.RPDisplayName, RPOrigins: origins,
		Timeout: min(passkey.DefaultTimeout, ttl), ChallengeTTL: ttl}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("webauthn: %w", err)
	}
	return commands.NewPasskeys(svc, creds, ttl, time.Now), nil
}
