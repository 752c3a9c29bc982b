package lxd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// File names of the identity inside the data directory.
const (
	IdentityCertFile = "lxd-client.crt"
	IdentityKeyFile  = "lxd-client.key"
)

// Identity is uivmm's TLS client certificate and key: what LXD hosts add
// to their trust store. KeyPEM is secret: String, GoString and LogValue
// print only the fingerprint, so an Identity can be logged safely.
type Identity struct {
	CertPEM string
	KeyPEM  string

	fingerprint string
}

// Fingerprint is the sha256 of the certificate's DER bytes, in lower-case
// hex: the fingerprint LXD lists for uivmm in its trust store.
func (id *Identity) Fingerprint() string { return id.fingerprint }

// String prints the fingerprint only, never the key.
func (id *Identity) String() string { return "lxd identity " + id.fingerprint }

// GoString prints the fingerprint only, never the key.
func (id *Identity) GoString() string { return id.String() }

// LogValue makes slog print the fingerprint only.
func (id *Identity) LogValue() slog.Value {
	return slog.GroupValue(slog.String("fingerprint", id.fingerprint))
}

// LoadOrCreateIdentity loads uivmm's identity from dataDir, or makes one
// (ECDSA P-384, self-signed, valid 10 years) when neither file exists. The
// files are written with mode 0600 (and loaded files are set back to
// 0600); dataDir is created with mode 0700 when missing. Loading twice
// gives the same fingerprint. If only one of the two files exists, it
// fails rather than replacing a certificate hosts may already trust.
// Concurrent first calls from several processes are not coordinated.
func LoadOrCreateIdentity(dataDir string) (*Identity, error) {
	certPath := filepath.Join(dataDir, IdentityCertFile)
	keyPath := filepath.Join(dataDir, IdentityKeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	if errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist) {
		return createIdentity(dataDir, certPath, keyPath)
	}
	for _, p := range []string{certPath, keyPath} {
		if err := os.Chmod(p, 0o600); err != nil {
			return nil, fmt.Errorf("loading lxd identity: %w", err)
		}
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("loading lxd identity: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("loading lxd identity: %w", err)
	}
	id, err := identityFromPEM(string(certPEM), string(keyPEM))
	if err != nil {
		return nil, fmt.Errorf("loading lxd identity from %s: %w", dataDir, err)
	}
	return id, nil
}

func createIdentity(dataDir, certPath, keyPath string) (*Identity, error) {
	id, err := newIdentity(DefaultClientName)
	if err != nil {
		return nil, fmt.Errorf("creating lxd identity: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating lxd identity: %w", err)
	}
	// The key goes first: a certificate without its key is worse than none.
	if err := writeFile0600(keyPath, id.KeyPEM); err != nil {
		return nil, fmt.Errorf("creating lxd identity: %w", err)
	}
	if err := writeFile0600(certPath, id.CertPEM); err != nil {
		return nil, fmt.Errorf("creating lxd identity: %w", err)
	}
	return id, nil
}

// writeFile0600 writes through a temporary file and a rename, so a crash
// never leaves half a file.
func writeFile0600(path, data string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// newIdentity makes a fresh self-signed client certificate in memory.
func newIdentity(commonName string) (*Identity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"uivmm"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return identityFromPEM(
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
}

// identityFromPEM checks that the pair matches and computes the fingerprint.
func identityFromPEM(certPEM, keyPEM string) (*Identity, error) {
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return nil, fmt.Errorf("certificate and key do not form a pair: %w", err)
	}
	return &Identity{CertPEM: certPEM, KeyPEM: keyPEM, fingerprint: fingerprintDER(pair.Certificate[0])}, nil
}

func fingerprintDER(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
