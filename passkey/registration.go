package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Attestation conveyance preferences accepted by BeginRegistration.
const (
	AttestationNone       = "none"
	AttestationIndirect   = "indirect"
	AttestationDirect     = "direct"
	AttestationEnterprise = "enterprise"
)

// Authenticator attachments accepted by BeginRegistration.
const (
	AttachmentPlatform      = "platform"
	AttachmentCrossPlatform = "cross-platform"
)

// BeginRegistration starts adding a passkey to user and returns the
// `publicKey` creation options for navigator.credentials.create.
//
// existing are the user's current credentials; they are listed in
// excludeCredentials so an authenticator cannot register twice. attestation
// is one of the Attestation* values ("" means "direct"), attachment one of the
// Attachment* values ("" means "cross-platform"); other values fail with
// ErrInvalid, as does a user without a positive ID or a login.
//
// The challenge is kept under ("registration", user.Login) until
// FinishRegistration consumes it or Config.ChallengeTTL passes; it replaces
// any registration challenge pending for that login.
func (s *Service) BeginRegistration(user User, existing []Credential, attestation, attachment string) (json.RawMessage, error) {
	if err := user.validate(); err != nil {
		return nil, fmt.Errorf("beginning registration: %w", err)
	}
	pref, att, err := registrationChoices(attestation, attachment)
	if err != nil {
		return nil, fmt.Errorf("beginning registration for %q: %w", user.Login, err)
	}
	wu := newWAUser(user, existing)
	exclude := webauthn.Credentials(wu.creds).CredentialDescriptors()
	creation, data, err := s.wa.BeginRegistration(wu,
		webauthn.WithConveyancePreference(pref),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{AuthenticatorAttachment: att}),
		webauthn.WithExclusions(exclude),
	)
	if err != nil {
		return nil, fmt.Errorf("beginning registration for %q: %w", user.Login, err)
	}
	options, err := toBrowser(creation.Response, "challenge", "user.id", "excludeCredentials[].id")
	if err != nil {
		return nil, fmt.Errorf("beginning registration for %q: %w", user.Login, err)
	}
	ids := make([][]byte, 0, len(existing))
	for _, c := range existing {
		ids = append(ids, c.ID)
	}
	s.sessions.put(sessionKey{purposeRegistration, user.Login},
		pending{data: *data, user: user, exclude: ids})
	return options, nil
}

// registrationChoices validates and defaults the caller's attestation and
// attachment arguments.
func registrationChoices(attestation, attachment string) (protocol.ConveyancePreference, protocol.AuthenticatorAttachment, error) {
	if attestation == "" {
		attestation = AttestationDirect
	}
	if attachment == "" {
		attachment = AttachmentCrossPlatform
	}
	switch attestation {
	case AttestationNone, AttestationIndirect, AttestationDirect, AttestationEnterprise:
	default:
		return "", "", fmt.Errorf("attestation %q is not allowed: %w", attestation, ErrInvalid)
	}
	switch attachment {
	case AttachmentPlatform, AttachmentCrossPlatform:
	default:
		return "", "", fmt.Errorf("authenticator attachment %q is not allowed: %w", attachment, ErrInvalid)
	}
	return protocol.ConveyancePreference(attestation), protocol.AuthenticatorAttachment(attachment), nil
}

// FinishRegistration verifies the browser's answer to the registration
// challenge pending for login (the User.Login given to BeginRegistration) and
// returns the new credential's public record for the caller to store.
//
// body is the browser's JSON: {id, rawId, type, response:{attestationObject,
// clientDataJSON}}, base64url; other members are ignored. The pending
// challenge is consumed whatever the outcome. Errors: ErrNoChallenge,
// ErrBadChallenge, ErrBadOrigin, or ErrInvalid (including a credential id that
// was in excludeCredentials). Checking that the credential id is not
// registered to another account is the caller's job.
func (s *Service) FinishRegistration(login string, body []byte) (Credential, error) {
	p, ok := s.sessions.take(sessionKey{purposeRegistration, login})
	if !ok {
		return Credential{}, fmt.Errorf("finishing registration for %q: %w", login, ErrNoChallenge)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return Credential{}, fmt.Errorf("finishing registration for %q: %w", login, classify(err))
	}
	if err := s.checkClientData(parsed.Response.CollectedClientData, p.data.Challenge); err != nil {
		return Credential{}, fmt.Errorf("finishing registration for %q: %w", login, err)
	}
	for _, id := range p.exclude {
		if bytes.Equal(id, parsed.RawID) {
			return Credential{}, fmt.Errorf("finishing registration for %q: credential already registered: %w", login, ErrInvalid)
		}
	}
	cred, err := s.wa.CreateCredential(newWAUser(p.user, nil), p.data, parsed)
	if err != nil {
		return Credential{}, fmt.Errorf("finishing registration for %q: %w", login, classify(err))
	}
	return fromWebAuthn(cred), nil
}
