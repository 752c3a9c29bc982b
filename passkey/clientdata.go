package passkey

import (
	"crypto/subtle"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
)

// checkClientData classifies the two client-data failures that have their own
// sentinel: a challenge other than the pending one (ErrBadChallenge) and an
// origin outside Config.RPOrigins (ErrBadOrigin). go-webauthn repeats both
// checks, together with everything else, during verification.
func (s *Service) checkClientData(c protocol.CollectedClientData, challenge string) error {
	if subtle.ConstantTimeCompare([]byte(c.Challenge), []byte(challenge)) != 1 {
		return fmt.Errorf("client data answers another challenge: %w", ErrBadChallenge)
	}
	if !protocol.IsOriginInHaystack(c.Origin, s.cfg.RPOrigins) {
		return fmt.Errorf("client data origin %q: %w", c.Origin, ErrBadOrigin)
	}
	return nil
}
