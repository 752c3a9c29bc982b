package lxd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"
)

// ProbeResult is what an LXD host tells a client it does not trust yet.
type ProbeResult struct {
	// CertPEM and Fingerprint are the certificate the host presented in
	// the TLS handshake (the one to pin) and its sha256 fingerprint.
	CertPEM     string
	Fingerprint string

	APIVersion    string   // "1.0"
	Auth          string   // "trusted" or "untrusted"
	Trusted       bool     // Auth == "trusted"
	AuthMethods   []string // e.g. ["tls"]
	APIExtensions []string
	// CertificateToken: the host accepts trust tokens (the
	// certificate_token API extension), not only a trust password.
	CertificateToken bool
}

// Probe connects to host:port without a client certificate, records the
// certificate the host presents, and checks that GET /1.0 answers like
// LXD. timeout <= 0 means DefaultTimeout. It changes nothing on the host.
//
// Errors: ErrInvalid (bad host or port), ErrUnreachable, ErrTimeout,
// ErrNotLXD (TLS works but the answer is not LXD's).
func Probe(ctx context.Context, host string, port int, timeout time.Duration) (ProbeResult, error) {
	s := newSettings([]Option{WithTimeout(timeout)})
	return probe(ctx, host, port, nil, s)
}

// probe runs Probe's checks as id (nil: anonymous).
func probe(ctx context.Context, host string, port int, id *Identity, s settings) (ProbeResult, error) {
	op := fmt.Sprintf("probing %s:%d", host, port)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	p := &pin{}
	c, err := dial(ctx, host, port, id, p, s)
	if err != nil {
		return ProbeResult{}, wrap(op, err)
	}
	defer c.Disconnect()
	srv, _, err := c.GetServer()
	return probeResult(op, p, srv, err)
}

func probeResult(op string, p *pin, srv *api.Server, err error) (ProbeResult, error) {
	if err != nil {
		var status api.StatusError
		if p.peer() != nil && !errors.As(err, &status) && !isTimeout(err) && !isTransport(err) {
			// TLS worked, but the answer was not LXD's JSON.
			return ProbeResult{}, fmt.Errorf("%s: %w: %w", op, ErrNotLXD, err)
		}
		return ProbeResult{}, wrap(op, err)
	}
	if srv.APIVersion == "" || srv.Auth == "" {
		return ProbeResult{}, fmt.Errorf("%s: %w: GET /1.0 has no api_version or auth", op, ErrNotLXD)
	}
	certPEM, fp := p.peerPEM()
	return ProbeResult{
		CertPEM:          certPEM,
		Fingerprint:      fp,
		APIVersion:       srv.APIVersion,
		Auth:             srv.Auth,
		Trusted:          srv.Auth == "trusted",
		AuthMethods:      srv.AuthMethods,
		APIExtensions:    srv.APIExtensions,
		CertificateToken: slices.Contains(srv.APIExtensions, "certificate_token"),
	}, nil
}

// Verify tells whether host:port would accept secret (a trust password or
// a trust token) without changing what the host trusts.
//
//   - A trust token is single-use, so Verify does not spend it: it checks
//     that the token decodes, has not expired, that the host is reachable
//     and speaks LXD, and that the host's certificate is the one the token
//     names (else ErrCertificateChanged). Its secret is only tested by
//     Trust.
//   - A trust password is really tested: Verify makes a throw-away
//     certificate in memory, asks the host to trust it with the password,
//     and on success deletes it from the host's trust store again. The
//     host's trust store ends as it began; its event log shows the add and
//     the delete. A wrong password gives ErrTrustRefused.
//
// It returns what Probe returns.
func Verify(ctx context.Context, host string, port int, secret string, opts ...Option) (ProbeResult, error) {
	s := newSettings(opts)
	op := fmt.Sprintf("verifying %s:%d", host, port)
	res, err := probe(ctx, host, port, nil, s)
	if err != nil {
		return ProbeResult{}, err
	}
	if tok, ok := parseTrustToken(secret); ok {
		return res, checkToken(op, tok, res.Fingerprint, time.Now())
	}
	tmp, err := newIdentity(s.clientName + "-verify")
	if err != nil {
		return ProbeResult{}, fmt.Errorf("%s: %w", op, err)
	}
	s.clientName += "-verify"
	if _, err := trust(ctx, host, port, secret, tmp, s); err != nil {
		return ProbeResult{}, err
	}
	return res, removeSelf(ctx, host, port, tmp, s)
}

// removeSelf deletes id's certificate from the host's trust store, as id.
func removeSelf(ctx context.Context, host string, port int, id *Identity, s settings) error {
	op := fmt.Sprintf("removing the verify certificate from %s:%d", host, port)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c, err := dial(ctx, host, port, id, &pin{}, s)
	if err != nil {
		return wrap(op, err)
	}
	defer c.Disconnect()
	return wrap(op, c.DeleteCertificate(id.Fingerprint()))
}

// serverTrusts is GET /1.0 on c, reporting whether the host trusts c's
// client certificate.
func serverTrusts(c lxdclient.InstanceServer) (*api.Server, bool, error) {
	srv, _, err := c.GetServer()
	if err != nil {
		return nil, false, err
	}
	return srv, srv.Auth == "trusted", nil
}
