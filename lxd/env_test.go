package lxd_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/lxd"
)

// testEnv is the daemon started by scripts/lxd-testenv.sh.
type testEnv struct {
	Dir      string // the daemon's LXD_DIR
	Host     string
	Port     int
	Password string
	Image    string // alias of the busybox image
	Files    string // image files for simplestreams tests
	Bridge   string
}

const upHint = "start the test daemon with `eval \"$(scripts/lxd-testenv.sh up)\"` (or run `make test`)"

// env reads the test daemon's settings and checks that it answers. It
// fails the test, never skips it: these tests exist to run against LXD.
func env(t *testing.T) testEnv {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("%s is not set: %s", k, upHint)
		}
		return v
	}
	e := testEnv{Dir: get("UIVMM_TEST_LXD_DIR"), Password: get("UIVMM_TEST_LXD_PASSWORD"),
		Image: get("UIVMM_TEST_LXD_IMAGE"), Files: os.Getenv("UIVMM_TEST_LXD_FILES"),
		Bridge: os.Getenv("UIVMM_TEST_LXD_BRIDGE")}
	addr := get("UIVMM_TEST_LXD_ADDR")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("UIVMM_TEST_LXD_ADDR=%q is not host:port: %v", addr, err)
	}
	e.Host = host
	if e.Port, err = strconv.Atoi(port); err != nil {
		t.Fatalf("UIVMM_TEST_LXD_ADDR=%q: bad port: %v", addr, err)
	}
	if _, err := lxd.Probe(ctx(t), e.Host, e.Port, 5*time.Second); err != nil {
		t.Fatalf("the test LXD at %s is unreachable: %v; %s", addr, err, upHint)
	}
	return e
}

// ctx is a context that ends with the test.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

// unix is an admin client over the daemon's unix socket.
func (e testEnv) unix(t *testing.T) lxdclient.InstanceServer {
	t.Helper()
	c, err := lxdclient.ConnectLXDUnix(filepath.Join(e.Dir, "unix.socket"), nil)
	if err != nil {
		t.Fatalf("connecting to %s/unix.socket: %v", e.Dir, err)
	}
	return c
}

// identity makes a fresh identity in a temporary directory.
func identity(t *testing.T) *lxd.Identity {
	t.Helper()
	id, err := lxd.LoadOrCreateIdentity(t.TempDir())
	if err != nil {
		t.Fatalf("LoadOrCreateIdentity: %v", err)
	}
	return id
}

// untrust removes id from the daemon's trust store when the test ends.
func (e testEnv) untrust(t *testing.T, id *lxd.Identity) {
	t.Helper()
	t.Cleanup(func() {
		err := e.unix(t).DeleteCertificate(id.Fingerprint())
		if err != nil && !isNotFound(err) {
			t.Errorf("cleanup: deleting certificate %s: %v", id.Fingerprint(), err)
		}
	})
}

// connect trusts a fresh identity with the password and connects.
func (e testEnv) connect(t *testing.T, opts ...lxd.Option) (*lxd.Server, *lxd.Identity, lxd.Pinned) {
	t.Helper()
	id := identity(t)
	pinned, err := lxd.Trust(ctx(t), e.Host, e.Port, e.Password, id)
	if err != nil {
		t.Fatalf("Trust with the password: %v", err)
	}
	e.untrust(t, id)
	srv, err := lxd.Connect(ctx(t), e.Host, e.Port, pinned.CertPEM, id, opts...)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv, id, pinned
}

// name is a unique name for a test object.
func name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// isNotFound matches a 404 from the unix-socket admin client.
func isNotFound(err error) bool {
	return api.StatusErrorCheck(err, http.StatusNotFound)
}
