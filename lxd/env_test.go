package lxd_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/lxd"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// testEnv is the daemon started by scripts/lxd-testenv.sh.
type testEnv struct{ testdaemon.Daemon }

// env reads the test daemon's settings and checks that it answers. It
// fails the test, never skips it: these tests exist to run against LXD.
func env(t *testing.T) testEnv {
	t.Helper()
	return testEnv{testdaemon.FromEnv(t)}
}

// ctx is a context that ends with the test.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
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
	t.Cleanup(func() { e.Untrust(t, id.Fingerprint()) })
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
