package mail_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the in-process SMTP server saw it.
type received struct {
	from     string
	to       []string
	data     []byte
	tls      bool
	authUser string
}

// backend is a go-smtp backend that records every message it accepts.
type backend struct {
	user, pass string // AUTH PLAIN offered and required when user is set
	rejectRcpt bool

	mu   sync.Mutex
	msgs []received
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, conn: c}, nil
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *backend
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if s.b.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.cur.authUser = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.cur.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	_, s.cur.tls = s.conn.TLSConnectionState()
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{authUser: s.cur.authUser} }
func (s *session) Logout() error { return nil }

// serverMode selects how the test server listens.
type serverMode int

const (
	plainWithStartTLS serverMode = iota // STARTTLS offered
	implicitTLS                         // TLS listener
	plainOnly                           // no TLS at all; AUTH allowed in clear
)

// startServer runs a go-smtp server on 127.0.0.1 until the test ends. It
// returns its port and a pool trusting its self-signed certificate.
func startServer(t *testing.T, be *backend, mode serverMode) (int, *x509.CertPool) {
	t.Helper()
	cert, pool := selfSigned(t)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	var l net.Listener
	var err error
	switch mode {
	case plainWithStartTLS:
		s.TLSConfig = tlsCfg
		l, err = net.Listen("tcp", "127.0.0.1:0")
	case implicitTLS:
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	case plainOnly:
		s.AllowInsecureAuth = true
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		_ = s.Close()
		_ = l.Close() // in case Close ran before Serve registered l
		<-done
	})
	return l.Addr().(*net.TCPAddr).Port, pool
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, valid for an
// hour, and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "uivmm test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
