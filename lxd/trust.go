package lxd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/canonical/lxd/shared"
	"github.com/canonical/lxd/shared/api"
)

// Pinned is the host certificate to keep and pass to Connect.
type Pinned struct {
	CertPEM     string
	Fingerprint string
	// AlreadyTrusted: the host trusted uivmm's certificate before this
	// call, so the secret was not used.
	AlreadyTrusted bool
}

// Trust adds id's certificate to the trust store of host:port and returns
// the host certificate to pin (trust on first use).
//
// secret is either a trust token (from `lxc config trust add`: base64 JSON
// with client_name, fingerprint, addresses and secret), recognised by
// decoding it, or else a trust password. With a token, the host's
// certificate must be the one the token names, else ErrCertificateChanged.
// If the host already trusts id, Trust succeeds without using secret.
// A wrong password or a spent, expired or foreign token gives
// ErrTrustRefused. Trust is idempotent.
func Trust(ctx context.Context, host string, port int, secret string, id *Identity, opts ...Option) (Pinned, error) {
	if id == nil {
		return Pinned{}, fmt.Errorf("trusting %s:%d: %w: no identity", host, port, ErrInvalid)
	}
	return trust(ctx, host, port, secret, id, newSettings(opts))
}

func trust(ctx context.Context, host string, port int, secret string, id *Identity, s settings) (Pinned, error) {
	op := fmt.Sprintf("trusting %s:%d", host, port)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	p := &pin{}
	c, err := dial(ctx, host, port, id, p, s)
	if err != nil {
		return Pinned{}, wrap(op, err)
	}
	defer c.Disconnect()
	srv, trusted, err := serverTrusts(c)
	if err != nil {
		_, err = probeResult(op, p, nil, err)
		return Pinned{}, err
	}
	certPEM, fp := p.peerPEM()
	if trusted {
		return Pinned{CertPEM: certPEM, Fingerprint: fp, AlreadyTrusted: true}, nil
	}
	req, err := certRequest(op, secret, fp, srv.APIExtensions, s.clientName)
	if err != nil {
		return Pinned{}, err
	}
	if err := c.CreateCertificate(req); err != nil {
		var lxdErr api.StatusError
		if errors.As(err, &lxdErr) {
			return Pinned{}, fmt.Errorf("%s: %w: %s", op, ErrTrustRefused, lxdErr.Error())
		}
		return Pinned{}, wrap(op, err)
	}
	if _, trusted, err = serverTrusts(c); err != nil {
		return Pinned{}, wrap(op, err)
	}
	if !trusted {
		return Pinned{}, fmt.Errorf("%s: %w: the host took the certificate but does not trust it", op, ErrTrustRefused)
	}
	return Pinned{CertPEM: certPEM, Fingerprint: fp}, nil
}

// certRequest is the trust store addition for secret: a token (checked
// against the host's fingerprint) or else a password.
func certRequest(op, secret, hostFingerprint string, extensions []string, name string) (api.CertificatesPost, error) {
	req := api.CertificatesPost{Type: api.CertificateTypeClient, Name: name, Password: secret}
	tok, ok := parseTrustToken(secret)
	if !ok {
		return req, nil
	}
	if err := checkToken(op, tok, hostFingerprint, time.Now()); err != nil {
		return req, err
	}
	req.Name = tok.ClientName
	if slices.Contains(extensions, "explicit_trust_token") {
		req.Password, req.TrustToken = "", strings.TrimSpace(secret)
	} else {
		req.Password = strings.TrimSpace(secret) // LXD 5.0 takes the token in the password field
	}
	return req, nil
}

// parseTrustToken decodes an LXD certificate add token with LXD's own
// decoder. ok is false for anything else, which is then taken as a trust
// password.
func parseTrustToken(secret string) (api.CertificateAddToken, bool) {
	tok, err := shared.CertificateTokenDecode(strings.TrimSpace(secret))
	if err != nil {
		return api.CertificateAddToken{}, false
	}
	return *tok, true
}

// checkToken checks what can be checked without spending the token.
func checkToken(op string, tok api.CertificateAddToken, hostFingerprint string, now time.Time) error {
	if !strings.EqualFold(tok.Fingerprint, hostFingerprint) {
		return fmt.Errorf("%s: %w", op, &certChangedError{want: tok.Fingerprint, got: hostFingerprint,
			why: "the trust token was issued by another server"})
	}
	if !tok.ExpiresAt.IsZero() && now.After(tok.ExpiresAt) {
		return fmt.Errorf("%s: %w: the trust token expired at %s", op, ErrTrustRefused, tok.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}
