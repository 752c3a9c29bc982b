package apptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uivmm/uivmm/config"
)

// WriteCertificate writes a fresh self-signed certificate for localhost,
// 127.0.0.1 and ::1 (ECDSA P-256, valid for a day) and its key into dir,
// as service.pem and service.key, and returns their paths.
func WriteCertificate(t testing.TB, dir string) (keyPath, pubPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "uivmm test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath = filepath.Join(dir, "service.key"), filepath.Join(dir, "service.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyPath, pubPath
}

// StartTLS runs uivmm like Start, serving HTTPS with a fresh certificate
// (WriteCertificate) configured as tls.key and tls.pub. e.URL is then
// https://127.0.0.1:<port>; e.App.CertificatePEM() is the certificate to
// pin, and Do trusts it.
func StartTLS(t testing.TB, mods ...func(*config.Config)) *Env {
	t.Helper()
	keyPath, pubPath := WriteCertificate(t, t.TempDir())
	return Start(t, append([]func(*config.Config){func(c *config.Config) {
		c.TLS.Key, c.TLS.Pub = keyPath, pubPath
	}}, mods...)...)
}
