package lxd

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	lxdclient "github.com/canonical/lxd/client"
)

// pin checks the certificate a host presents. With want set, only that
// exact certificate is accepted (no CA, no host name: LXD hosts use
// self-signed certificates); without it any certificate is accepted and
// only recorded, for Probe and Trust (trust on first use).
type pin struct {
	want []byte // DER of the pinned certificate, or nil

	mu   sync.Mutex
	seen *x509.Certificate
}

func (p *pin) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	leaf := cs.PeerCertificates[0]
	p.mu.Lock()
	p.seen = leaf
	p.mu.Unlock()
	if p.want != nil && !bytes.Equal(leaf.Raw, p.want) {
		return &certChangedError{want: fingerprintDER(p.want), got: fingerprintDER(leaf.Raw),
			why: "the host's certificate is not the pinned one; re-add the server if the change is expected"}
	}
	return nil
}

// peer returns the certificate the host presented last, or nil.
func (p *pin) peer() *x509.Certificate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}

// peerPEM returns the presented certificate as PEM and its fingerprint.
func (p *pin) peerPEM() (string, string) {
	c := p.peer()
	if c == nil {
		return "", ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})), fingerprintDER(c.Raw)
}

// parseCertPEM returns the DER of the first certificate in s.
func parseCertPEM(s string) ([]byte, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: no PEM certificate", ErrInvalid)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("%w: bad certificate: %w", ErrInvalid, err)
	}
	return block.Bytes, nil
}

// transporter hands LXD's client our tuned *http.Transport.
type transporter struct{ t *http.Transport }

func (t transporter) RoundTrip(r *http.Request) (*http.Response, error) { return t.t.RoundTrip(r) }
func (t transporter) Transport() *http.Transport                        { return t.t }

// tune returns a TransportWrapper that installs pin p in the TLS config
// (used by HTTP requests and by websockets alike) and bounds dialing and
// the TLS handshake by timeout and by the request's context. LXD's own
// dialer does the handshake without a context.
func tune(p *pin, timeout time.Duration) func(*http.Transport) lxdclient.HTTPTransporter {
	return func(t *http.Transport) lxdclient.HTTPTransporter {
		cfg := t.TLSClientConfig
		cfg.InsecureSkipVerify = true // p.verify decides instead
		cfg.VerifyConnection = p.verify
		d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
		t.DialContext = d.DialContext
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			c := cfg.Clone()
			if host, _, err := net.SplitHostPort(addr); err == nil && c.ServerName == "" {
				c.ServerName = host
			}
			conn := tls.Client(raw, c)
			hctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := conn.HandshakeContext(hctx); err != nil {
				_ = raw.Close()
				return nil, err
			}
			return conn, nil
		}
		t.TLSHandshakeTimeout = timeout
		return transporter{t}
	}
}

// dial opens a client to https://host:port without a GetServer round
// trip. id may be nil (anonymous); p decides which certificates to accept.
func dial(ctx context.Context, host string, port int, id *Identity, p *pin, s settings) (*lxdclient.ProtocolLXD, error) {
	if host == "" || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("%w: host %q port %d", ErrInvalid, host, port)
	}
	args := &lxdclient.ConnectionArgs{
		UserAgent:        s.userAgent,
		TransportWrapper: keepAlive(tune(p, s.timeout), s.keepAlive),
		SkipGetServer:    true,
	}
	if id != nil {
		args.TLSClientCert, args.TLSClientKey = id.CertPEM, id.KeyPEM
	}
	u := "https://" + net.JoinHostPort(host, strconv.Itoa(port))
	c, err := lxdclient.ConnectLXDWithContext(ctx, u, args)
	if err != nil {
		return nil, err
	}
	pc, ok := c.(*lxdclient.ProtocolLXD)
	if !ok {
		return nil, fmt.Errorf("unexpected lxd client type %T", c)
	}
	return pc, nil
}

// scoped returns a copy of base bound to ctx and project. LXD's
// WithContext changes the client it is called on, so the copy (made by
// UseProject) is what makes concurrent calls safe.
func scoped(ctx context.Context, base *lxdclient.ProtocolLXD, project string) *lxdclient.ProtocolLXD {
	c := base.UseProject(project).(*lxdclient.ProtocolLXD)
	c.WithContext(ctx)
	return c
}

// keepAlive lets wrapped reuse idle connections when on. LXD's client
// turns keep-alives off, so each request pays a TLS handshake (about 7 ms
// on a local host); long-lived connections (Connect with WithKeepAlive)
// keep up to 8 idle connections for 30 s instead.
func keepAlive(wrapped func(*http.Transport) lxdclient.HTTPTransporter, on bool) func(*http.Transport) lxdclient.HTTPTransporter {
	if !on {
		return wrapped
	}
	return func(t *http.Transport) lxdclient.HTTPTransporter {
		tr := wrapped(t)
		t.DisableKeepAlives = false
		t.MaxIdleConnsPerHost = 8
		t.IdleConnTimeout = 30 * time.Second
		return tr
	}
}
