package softauthn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
)

// Register answers creation options (the `publicKey` object, binary members
// in standard base64) like navigator.credentials.create followed by the
// front-end's encoder, and keeps the new credential (with WithCredential it
// announces a held credential again instead). It fails with
// ErrUnsupported when ES256 is not offered and with ErrExcluded when a held
// credential is in excludeCredentials (unless IgnoreExclusions is given).
func (a *Authenticator) Register(options json.RawMessage, opts ...Option) (json.RawMessage, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("decoding creation options: %w", err)
	}
	if !slices.Contains(o.PubKeyCredParams, credParam{Type: "public-key", Alg: coseAlgES256}) {
		return nil, ErrUnsupported
	}
	userHandle, err := atob(o.User.ID)
	if err != nil {
		return nil, fmt.Errorf("user.id: %w", err)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.ceremony(opts)
	challenge, err := pick(c.challenge, o.Challenge)
	if err != nil {
		return nil, err
	}
	rpID, err := rpIDFor(o.RP.ID, c.origin)
	if err != nil {
		return nil, err
	}
	if err := a.checkExcluded(o.ExcludeCredentials, c.ignoreExclusion); err != nil {
		return nil, err
	}
	cred, err := a.credentialFor(c.credentialID, rpID, userHandle)
	if err != nil {
		return nil, err
	}
	out, err := a.attest(cred, rpID, challenge, c.origin)
	if err != nil {
		return nil, err
	}
	if a.find(cred.id) == nil {
		a.creds = append(a.creds, cred)
	}
	return out, nil
}

// attest builds the registration response announcing cred.
func (a *Authenticator) attest(cred *credential, rpID string, challenge []byte, origin string) (json.RawMessage, error) {
	attested, err := attestedCredentialData(a.aaguid, cred.id, &cred.key.PublicKey)
	if err != nil {
		return nil, err
	}
	object, err := attestationObject(authData(rpID, flagUP|flagUV|flagAT, cred.counter, attested))
	if err != nil {
		return nil, fmt.Errorf("encoding attestation object: %w", err)
	}
	cdj, err := json.Marshal(clientData{Type: "webauthn.create", Challenge: b64url(challenge), Origin: origin})
	if err != nil {
		return nil, err
	}
	var r attestationResponse
	r.ID, r.RawID, r.Type = b64url(cred.id), b64url(cred.id), "public-key"
	r.Response.AttestationObject, r.Response.ClientDataJSON = b64url(object), b64url(cdj)
	return json.Marshal(r)
}

// credentialFor returns the held credential forced by WithCredential, or a
// new one. Callers hold a.mu.
func (a *Authenticator) credentialFor(forced []byte, rpID string, userHandle []byte) (*credential, error) {
	if forced == nil {
		return newCredential(rpID, userHandle)
	}
	if c := a.find(forced); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("forced credential %x: %w", forced, ErrNoCredential)
}

// checkExcluded fails with ErrExcluded when a held credential is listed.
// Callers hold a.mu.
func (a *Authenticator) checkExcluded(list []descriptor, ignore bool) error {
	for _, d := range list {
		id, err := atob(d.ID)
		if err != nil {
			return fmt.Errorf("excludeCredentials: %w", err)
		}
		if !ignore && a.find(id) != nil {
			return ErrExcluded
		}
	}
	return nil
}

// Login answers request options (binary members in standard base64) like
// navigator.credentials.get followed by the front-end's encoder. It signs with
// the oldest held credential for the RP that allowCredentials lists (any, if
// the list is empty), or with the one chosen by WithCredential, after
// incrementing its counter. It fails with ErrNoCredential when none fits.
func (a *Authenticator) Login(options json.RawMessage, opts ...Option) (json.RawMessage, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("decoding request options: %w", err)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.ceremony(opts)
	challenge, err := pick(c.challenge, o.Challenge)
	if err != nil {
		return nil, err
	}
	rpID, err := rpIDFor(o.RPID, c.origin)
	if err != nil {
		return nil, err
	}
	cred, err := a.choose(rpID, o.AllowCredentials, c.credentialID)
	if err != nil {
		return nil, err
	}
	cred.counter++
	ad := authData(rpID, flagUP|flagUV, cred.counter, nil)
	cdj, err := json.Marshal(clientData{Type: "webauthn.get", Challenge: b64url(challenge), Origin: c.origin})
	if err != nil {
		return nil, err
	}
	sig, err := sign(cred.key, ad, cdj)
	if err != nil {
		return nil, err
	}
	var r assertionResponse
	r.ID, r.RawID, r.Type = b64url(cred.id), b64url(cred.id), "public-key"
	r.Response.AuthenticatorData, r.Response.ClientDataJSON = b64url(ad), b64url(cdj)
	r.Response.Signature = b64url(sig)
	if !c.noUserHandle {
		r.Response.UserHandle = b64url(cred.userHandle)
	}
	return json.Marshal(r)
}

// choose picks the credential to sign with. Callers hold a.mu.
func (a *Authenticator) choose(rpID string, allow []descriptor, forced []byte) (*credential, error) {
	if forced != nil {
		if c := a.find(forced); c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("forced credential %x: %w", forced, ErrNoCredential)
	}
	allowed := make([][]byte, 0, len(allow))
	for _, d := range allow {
		id, err := atob(d.ID)
		if err != nil {
			return nil, fmt.Errorf("allowCredentials: %w", err)
		}
		allowed = append(allowed, id)
	}
	for _, c := range a.creds {
		if c.rpID != rpID {
			continue
		}
		if len(allowed) == 0 || slices.ContainsFunc(allowed, func(id []byte) bool { return bytes.Equal(id, c.id) }) {
			return c, nil
		}
	}
	return nil, ErrNoCredential
}

// pick returns the forced challenge, or else the options' challenge decoded
// as atob would.
func pick(forced []byte, fromOptions string) ([]byte, error) {
	if forced != nil {
		return forced, nil
	}
	b, err := atob(fromOptions)
	if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	return b, nil
}

// sign returns the DER ECDSA signature over authData || SHA-256(clientDataJSON).
func sign(key *ecdsa.PrivateKey, authData, clientDataJSON []byte) ([]byte, error) {
	cdh := sha256.Sum256(clientDataJSON)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), cdh[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("signing assertion: %w", err)
	}
	return sig, nil
}
