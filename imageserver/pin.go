package imageserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"net"
	"net/url"
	"time"
)

// CertificateFor returns certPEM when the https server at rawURL presents
// exactly that certificate, that is when rawURL is uivmm's own image
// server (or another process with the same key pair); else "". An
// instance source that names uivmm's simplestreams URL carries this
// certificate, so the LXD host needs no system trust to download from it;
// any other server is left to the host's own trust. The check is one TLS
// handshake, bounded by ctx and 5 s.
func CertificateFor(ctx context.Context, rawURL, certPEM string) string {
	block, _ := pem.Decode([]byte(certPEM))
	u, err := url.Parse(rawURL)
	if block == nil || err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}} //nolint:gosec // only compared, never trusted
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return ""
	}
	defer conn.Close()
	peers := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(peers) == 0 || !bytes.Equal(peers[0].Raw, block.Bytes) {
		return ""
	}
	return certPEM
}

// CertificateFor is the package's CertificateFor with uivmm's own
// certificate: what to pin for an image source naming rawURL.
func (s *Service) CertificateFor(ctx context.Context, rawURL string) string {
	if s == nil || s.cfg.CertPEM == "" {
		return ""
	}
	return CertificateFor(ctx, rawURL, s.cfg.CertPEM)
}
