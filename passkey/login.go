package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
)

// BeginLogin starts a passkey login for user and returns the `publicKey`
// request options for navigator.credentials.get, listing creds in
// allowCredentials.
//
// A user without credentials fails with ErrUnknownCredential, an invalid user
// with ErrInvalid. The challenge is kept under ("login", user.Login) until
// FinishLogin consumes it or Config.ChallengeTTL passes; it replaces any
// login challenge pending for that login.
func (s *Service) BeginLogin(user User, creds []Credential) (json.RawMessage, error) {
	if err := user.validate(); err != nil {
		return nil, fmt.Errorf("beginning login: %w", err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("beginning login for %q: user has no credentials: %w", user.Login, ErrUnknownCredential)
	}
	assertion, data, err := s.wa.BeginLogin(newWAUser(user, creds))
	if err != nil {
		return nil, fmt.Errorf("beginning login for %q: %w", user.Login, err)
	}
	options, err := toBrowser(assertion.Response, "challenge", "allowCredentials[].id")
	if err != nil {
		return nil, fmt.Errorf("beginning login for %q: %w", user.Login, err)
	}
	s.sessions.put(sessionKey{purposeLogin, user.Login}, pending{data: *data, user: user})
	return options, nil
}

// FinishLogin verifies the browser's answer to the login challenge pending
// for login, which must be the User.Login given to BeginLogin (resolve an
// e-mail address to the account first). user and creds are the account and
// its credentials as stored now: a credential deleted since BeginLogin is no
// longer accepted.
//
// body is the browser's JSON: {id, rawId, type, response:{authenticatorData,
// clientDataJSON, signature, userHandle}}, base64url; userHandle may be "".
// The pending challenge is consumed whatever the outcome. On success the
// caller stores LoginResult.NewSignCount for LoginResult.CredentialID.
//
// Errors: ErrNoChallenge; ErrBadChallenge; ErrBadOrigin; ErrUnknownCredential
// when the credential is not among creds or was not offered at BeginLogin;
// ErrCloned when the signature counter did not increase (stored counter
// non-zero and new <= stored, or go-webauthn's clone warning); ErrInvalid for
// everything else, including a user other than the one BeginLogin was called
// for.
func (s *Service) FinishLogin(login string, user User, creds []Credential, body []byte) (LoginResult, error) {
	p, ok := s.sessions.take(sessionKey{purposeLogin, login})
	if !ok {
		return LoginResult{}, fmt.Errorf("finishing login for %q: %w", login, ErrNoChallenge)
	}
	if !bytes.Equal(p.data.UserID, user.Handle()) {
		return LoginResult{}, fmt.Errorf("finishing login for %q: challenge was issued to another user: %w", login, ErrInvalid)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return LoginResult{}, fmt.Errorf("finishing login for %q: %w", login, classify(err))
	}
	if err := s.checkClientData(parsed.Response.CollectedClientData, p.data.Challenge); err != nil {
		return LoginResult{}, fmt.Errorf("finishing login for %q: %w", login, err)
	}
	stored, ok := findCredential(creds, parsed.RawID)
	if !ok || !containsID(p.data.AllowedCredentialIDs, parsed.RawID) {
		return LoginResult{}, fmt.Errorf("finishing login for %q: %w", login, ErrUnknownCredential)
	}
	// go-webauthn insists that the user still owns every credential offered
	// at BeginLogin; narrow the offer to what is still stored so that
	// deleting another credential meanwhile does not break this login.
	data := p.data
	data.AllowedCredentialIDs = intersect(data.AllowedCredentialIDs, creds)
	cred, err := s.wa.ValidateLogin(newWAUser(user, creds), data, parsed)
	if err != nil {
		return LoginResult{}, fmt.Errorf("finishing login for %q: %w", login, classify(err))
	}
	count := parsed.Response.AuthenticatorData.Counter
	if cred.Authenticator.CloneWarning || (stored.SignCount != 0 && count <= stored.SignCount) {
		return LoginResult{}, fmt.Errorf("finishing login for %q: counter %d after %d: %w", login, count, stored.SignCount, ErrCloned)
	}
	return LoginResult{CredentialID: bytes.Clone(parsed.RawID), NewSignCount: count}, nil
}

func findCredential(creds []Credential, id []byte) (Credential, bool) {
	for _, c := range creds {
		if bytes.Equal(c.ID, id) {
			return c, true
		}
	}
	return Credential{}, false
}

func containsID(ids [][]byte, id []byte) bool {
	for _, x := range ids {
		if bytes.Equal(x, id) {
			return true
		}
	}
	return false
}

// intersect keeps the ids that still belong to one of creds.
func intersect(ids [][]byte, creds []Credential) [][]byte {
	out := make([][]byte, 0, len(ids))
	for _, id := range ids {
		if _, ok := findCredential(creds, id); ok {
			out = append(out, id)
		}
	}
	return out
}
