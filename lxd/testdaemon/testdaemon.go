package testdaemon

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/lxd"
)

// UpHint tells how to start the daemon.
const UpHint = "start the test daemon with `eval \"$(scripts/lxd-testenv.sh up)\"` (or run `make test`)"

// Daemon is a running test daemon.
type Daemon struct {
	Dir      string // its LXD_DIR, with unix.socket
	Addr     string // host:port of its HTTPS listener, on loopback
	Host     string
	Port     int
	Password string // its trust password
	Image    string // alias of the busybox image
	Files    string // the image's files and manifest.env ("" when not given)
	Bridge   string // its address-less bridge ("" when not given)
	Pool     string // its storage pool ("default" when not given)
}

// FromEnv reads the shared daemon's settings from the environment and
// checks that it answers.
func FromEnv(t testing.TB) Daemon {
	t.Helper()
	return From(t, os.Getenv)
}

// From reads a daemon's settings through get (the environment, or what
// `scripts/lxd-testenv.sh up` printed for a daemon of the test's own) and
// checks that it answers. Its directory, address, password and image
// must be set.
func From(t testing.TB, get func(string) string) Daemon {
	t.Helper()
	must := func(k string) string {
		v := get(k)
		if v == "" {
			t.Fatalf("%s is not set: %s", k, UpHint)
		}
		return v
	}
	d := Daemon{Dir: must("UIVMM_TEST_LXD_DIR"), Addr: must("UIVMM_TEST_LXD_ADDR"), Password: must("UIVMM_TEST_LXD_PASSWORD"),
		Image: must("UIVMM_TEST_LXD_IMAGE"), Files: get("UIVMM_TEST_LXD_FILES"), Bridge: get("UIVMM_TEST_LXD_BRIDGE"),
		Pool: get("UIVMM_TEST_LXD_POOL")}
	if d.Pool == "" {
		d.Pool = "default"
	}
	host, port, err := net.SplitHostPort(d.Addr)
	if err != nil {
		t.Fatalf("UIVMM_TEST_LXD_ADDR %q is not host:port: %v", d.Addr, err)
	}
	d.Host = host
	if d.Port, err = strconv.Atoi(port); err != nil {
		t.Fatalf("UIVMM_TEST_LXD_ADDR %q: bad port: %v", d.Addr, err)
	}
	if _, err := lxd.Probe(context.Background(), d.Host, d.Port, 5*time.Second); err != nil {
		t.Fatalf("the test LXD at %s is unreachable: %v; %s", d.Addr, err, UpHint)
	}
	return d
}

// Admin is a client of the daemon over its unix socket: what an operator
// does with lxc, to set up what a test needs and to check what uivmm did.
func (d Daemon) Admin(t testing.TB) lxdclient.InstanceServer {
	t.Helper()
	c, err := lxdclient.ConnectLXDUnix(filepath.Join(d.Dir, "unix.socket"), nil)
	if err != nil {
		t.Fatalf("connecting to %s/unix.socket: %v", d.Dir, err)
	}
	return c
}

// Untrust removes the certificate with fingerprint fp from the daemon's
// trust store, if it is there (a test's cleanup). A daemon that is gone
// (a test stopped its own) is left alone.
func (d Daemon) Untrust(t testing.TB, fp string) {
	c, err := lxdclient.ConnectLXDUnix(filepath.Join(d.Dir, "unix.socket"), nil)
	if err != nil {
		return
	}
	if err := c.DeleteCertificate(fp); err != nil && !lxdapi.StatusErrorCheck(err, http.StatusNotFound) {
		t.Errorf("cleanup: removing certificate %s: %v", fp[:min(12, len(fp))], err)
	}
}
