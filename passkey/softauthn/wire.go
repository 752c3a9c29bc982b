package softauthn

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// descriptor is a PublicKeyCredentialDescriptor as the browser receives it.
type descriptor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// credParam is a PublicKeyCredentialParameters entry.
type credParam struct {
	Type string `json:"type"`
	Alg  int    `json:"alg"`
}

// creationOptions is the part of PublicKeyCredentialCreationOptions the
// authenticator needs.
type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rp"`
	User struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"user"`
	PubKeyCredParams   []credParam  `json:"pubKeyCredParams"`
	ExcludeCredentials []descriptor `json:"excludeCredentials"`
}

// requestOptions is the part of PublicKeyCredentialRequestOptions the
// authenticator needs.
type requestOptions struct {
	Challenge        string       `json:"challenge"`
	RPID             string       `json:"rpId"`
	AllowCredentials []descriptor `json:"allowCredentials"`
}

// clientData is CollectedClientData; clientDataJSON is its JSON.
type clientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
}

// attestationResponse is what the front-end posts after create().
type attestationResponse struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		AttestationObject string `json:"attestationObject"`
		ClientDataJSON    string `json:"clientDataJSON"`
	} `json:"response"`
}

// assertionResponse is what the front-end posts after get().
type assertionResponse struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		AuthenticatorData string `json:"authenticatorData"`
		ClientDataJSON    string `json:"clientDataJSON"`
		Signature         string `json:"signature"`
		UserHandle        string `json:"userHandle"`
	} `json:"response"`
}

// atob decodes standard base64 the way the browser's atob does: padding is
// optional and the URL alphabet ("-", "_") is rejected.
func atob(s string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("atob %q: %w", s, err)
	}
	return b, nil
}

// b64url encodes like the front-end's response encoder: base64url, no padding.
func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Challenge returns the raw challenge of creation or request options as the
// browser receives them, so a test can answer it later (an old challenge).
func Challenge(options json.RawMessage) ([]byte, error) {
	var o struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("decoding options: %w", err)
	}
	if o.Challenge == "" {
		return nil, errors.New("options have no challenge")
	}
	return atob(o.Challenge)
}

// rpIDFor returns the RP ID the browser would use: the one in the options, or
// else the host of the origin.
func rpIDFor(optionRPID, origin string) (string, error) {
	if optionRPID != "" {
		return optionRPID, nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("origin %q has no host", origin)
	}
	return u.Hostname(), nil
}
