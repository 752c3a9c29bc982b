package app

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/uivmm/uivmm/config"
)

// tlsState is the HTTPS key pair of tls.key and tls.pub, loaded at start.
type tlsState struct {
	config  *tls.Config
	certPEM string
}

// loadTLS reads the key pair when both tls.key and tls.pub are set (as
// paths; relative ones are relative to the working directory). The
// server then offers TLS 1.2 and 1.3: LXD's lxc insists on 1.3 for
// simplestreams remotes.
func loadTLS(c config.TLS) (tlsState, error) {
	if c.Key == "" || c.Pub == "" {
		return tlsState{}, nil
	}
	pair, err := tls.LoadX509KeyPair(c.Pub, c.Key)
	if err != nil {
		return tlsState{}, fmt.Errorf("loading tls.pub %s and tls.key %s: %w", c.Pub, c.Key, err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return tlsState{}, fmt.Errorf("parsing tls.pub %s: %w", c.Pub, err)
	}
	pair.Leaf = leaf
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	return tlsState{
		config:  &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13, Certificates: []tls.Certificate{pair}},
		certPEM: string(certPEM),
	}, nil
}

// TLSConfig returns the HTTPS configuration (a copy), or nil when tls.key
// and tls.pub are not set and uivmm serves plain HTTP.
func (a *App) TLSConfig() *tls.Config {
	if a.tls.config == nil {
		return nil
	}
	return a.tls.config.Clone()
}

// CertificatePEM returns uivmm's own HTTPS certificate (the leaf of
// tls.pub) in PEM, or "" without TLS. LXD hosts are given it as the
// certificate of uivmm's simplestreams server, so they need no system
// trust to download from it.
func (a *App) CertificatePEM() string { return a.tls.certPEM }
