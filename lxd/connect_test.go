package lxd_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/lxd"
)

func TestConnectRefusesAnotherCertificate(t *testing.T) {
	e := env(t)
	_, id, _ := e.connect(t)
	// Any other certificate stands in for a host whose certificate changed.
	other := identity(t)
	_, err := lxd.Connect(ctx(t), e.Host, e.Port, other.CertPEM, id)
	if !errors.Is(err, lxd.ErrCertificateChanged) {
		t.Fatalf("Connect with a wrong pinned certificate = %v, want ErrCertificateChanged", err)
	}
	if !strings.Contains(err.Error(), "certificate changed") || !strings.Contains(err.Error(), other.Fingerprint()[:16]) {
		t.Errorf("error %q should say the certificate changed and name the pinned one", err)
	}
	if errors.Is(err, lxd.ErrUnreachable) {
		t.Errorf("a changed certificate must not read as unreachable: %v", err)
	}
}

func TestConnectAsAnUntrustedIdentity(t *testing.T) {
	e := env(t)
	res, err := lxd.Probe(ctx(t), e.Host, e.Port, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lxd.Connect(ctx(t), e.Host, e.Port, res.CertPEM, identity(t))
	if !errors.Is(err, lxd.ErrNotTrusted) {
		t.Fatalf("Connect as an untrusted identity = %v, want ErrNotTrusted", err)
	}
	if _, err := lxd.Connect(ctx(t), e.Host, e.Port, "not pem", identity(t)); !errors.Is(err, lxd.ErrInvalid) {
		t.Errorf("Connect with a bad pinned PEM = %v, want ErrInvalid", err)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

// silentPort accepts connections on loopback and never answers.
func silentPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

func TestUnreachableAndTimeout(t *testing.T) {
	e := env(t)
	_, id, pinned := e.connect(t)
	closed, silent := closedPort(t), silentPort(t)

	if _, err := lxd.Probe(ctx(t), "127.0.0.1", closed, time.Second); !errors.Is(err, lxd.ErrUnreachable) {
		t.Errorf("Probe on a closed port = %v, want ErrUnreachable", err)
	}
	if _, err := lxd.Connect(ctx(t), "127.0.0.1", closed, pinned.CertPEM, id); !errors.Is(err, lxd.ErrUnreachable) {
		t.Errorf("Connect on a closed port = %v, want ErrUnreachable", err)
	}
	if _, err := lxd.Trust(ctx(t), "127.0.0.1", closed, e.Password, id); !errors.Is(err, lxd.ErrUnreachable) {
		t.Errorf("Trust on a closed port = %v, want ErrUnreachable", err)
	}

	start := time.Now()
	_, err := lxd.Probe(ctx(t), "127.0.0.1", silent, 500*time.Millisecond)
	if !errors.Is(err, lxd.ErrTimeout) {
		t.Errorf("Probe on a silent port = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Probe with a 500ms timeout took %v", d)
	}
	_, err = lxd.Connect(ctx(t), "127.0.0.1", silent, pinned.CertPEM, id, lxd.WithTimeout(500*time.Millisecond))
	if !errors.Is(err, lxd.ErrTimeout) {
		t.Errorf("Connect on a silent port = %v, want ErrTimeout", err)
	}
}

func TestProbeOfSomethingElse(t *testing.T) {
	env(t)
	// A plain TCP service that closes at once is not LXD and not reachable as TLS.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
			_ = c.Close()
		}
	}()
	_, err = lxd.Probe(ctx(t), "127.0.0.1", l.Addr().(*net.TCPAddr).Port, time.Second)
	if !errors.Is(err, lxd.ErrUnreachable) {
		t.Errorf("Probe of a non-TLS service = %v, want ErrUnreachable", err)
	}

	// An HTTPS server that is not LXD.
	web := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>hello</html>"))
	}))
	defer web.Close()
	addr := web.Listener.Addr().(*net.TCPAddr)
	if _, err := lxd.Probe(ctx(t), "127.0.0.1", addr.Port, time.Second); !errors.Is(err, lxd.ErrNotLXD) {
		t.Errorf("Probe of a web server = %v, want ErrNotLXD", err)
	}
}
