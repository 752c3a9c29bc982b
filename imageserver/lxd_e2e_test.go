package imageserver_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// These tests run against the private LXD daemon of scripts/lxd-testenv.sh
// (`make test` starts it). They fail, never skip, when it is missing.

// lxdEnv is the test daemon, with an admin client over its socket.
type lxdEnv struct {
	testdaemon.Daemon
	client lxdclient.InstanceServer
}

func testLXD(t *testing.T) lxdEnv {
	t.Helper()
	d := testdaemon.FromEnv(t)
	if d.Files == "" {
		t.Fatalf("UIVMM_TEST_LXD_FILES is not set: %s", testdaemon.UpHint)
	}
	return lxdEnv{Daemon: d, client: d.Admin(t)}
}

func randomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// publishUnique publishes the busybox squashfs under fresh metadata (so the
// fingerprint is new and LXD must download it) for a fresh product with
// alias; it returns the fingerprint.
func (s *server) publishUnique(t *testing.T, e lxdEnv, alias string) string {
	t.Helper()
	meta, err := makeMetadata(t.TempDir(), "x86_64", "busybox for "+alias)
	if err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(e.Files, "rootfs.squashfs")
	id := s.addProduct(strings.TrimPrefix(alias, "uivmm-"), alias)
	serial := time.Now().UTC().Format("20060102_1504")
	r := s.upload(payload(id, serial), filePart(meta), filePart(rootfs))
	if r.Status != 200 || r.Attrs()["published"] != true {
		t.Fatalf("upload = %d %s", r.Status, r.Raw)
	}
	fp := sha(t, meta, rootfs)
	t.Cleanup(func() { deleteImage(e, fp) })
	return fp
}

func deleteImage(e lxdEnv, fp string) {
	if op, err := e.client.DeleteImage(fp); err == nil {
		_ = op.Wait()
	}
}

func deleteInstance(e lxdEnv, name string) {
	if op, err := e.client.UpdateInstanceState(name, api.InstanceStatePut{Action: "stop", Force: true, Timeout: -1}, ""); err == nil {
		_ = op.Wait()
	}
	if op, err := e.client.DeleteInstance(name); err == nil {
		_ = op.Wait()
	}
}

// waitRunning waits until name's state is Running.
func waitRunning(t *testing.T, e lxdEnv, name string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, _, err := e.client.GetInstanceState(name)
		if err == nil && st.Status == "Running" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s is not running after %s: %+v, %v", name, within, st, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestLXDPullsFromUivmmOverPinnedTLS: the LXD daemon itself creates a
// container from uivmm's HTTPS simplestreams server, given uivmm's
// certificate in the image source (no system trust), and it runs.
func TestLXDPullsFromUivmmOverPinnedTLS(t *testing.T) {
	e := testLXD(t)
	s := startTLS(t)
	alias := randomName("uivmm-ss-")
	fp := s.publishUnique(t, e, alias)
	name := randomName("uivmm-ssa-")
	t.Cleanup(func() { deleteInstance(e, name) })
	op, err := e.client.CreateInstance(api.InstancesPost{Name: name, Type: api.InstanceTypeContainer,
		Source: api.InstanceSource{Type: "image", Server: s.URL + "/api/v1/simplestream.list", Protocol: "simplestreams",
			Alias: alias, Certificate: s.App.CertificatePEM()}})
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := op.WaitContext(ctx); err != nil {
		t.Fatalf("creating %s from uivmm: %v", name, err)
	}
	inst, _, err := e.client.GetInstance(name)
	if err != nil || inst.Config["volatile.base_image"] != fp {
		t.Fatalf("instance %+v, %v; want base image %s", inst, err, fp)
	}
	op, err = e.client.UpdateInstanceState(name, api.InstanceStatePut{Action: "start", Timeout: -1}, "")
	if err == nil {
		err = op.WaitContext(ctx)
	}
	if err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	waitRunning(t, e, name, 30*time.Second)
}

// TestLXCLaunchWithPinnedCertificate: `lxc remote add` of uivmm's HTTPS
// URL with the certificate pinned under LXD_CONF/servercerts, then
// `lxc launch <remote>:<alias>` (the lxc CLI insists on https and TLS 1.3).
func TestLXCLaunchWithPinnedCertificate(t *testing.T) {
	e := testLXD(t)
	s := startTLS(t)
	alias := randomName("uivmm-ss-")
	fp := s.publishUnique(t, e, alias)
	conf := t.TempDir()
	remote := randomName("uivmm")
	if err := os.MkdirAll(filepath.Join(conf, "servercerts"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "servercerts", remote+".crt"), []byte(s.App.CertificatePEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	lxc := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "lxc", args...)
		cmd.Env = append(os.Environ(), "LXD_DIR="+e.Dir, "LXD_CONF="+conf)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("lxc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	lxc("remote", "add", remote, s.URL+"/api/v1/simplestream.list", "--protocol", "simplestreams")
	if out := lxc("image", "list", remote+":", "--format", "csv", "-c", "lf"); !strings.Contains(out, alias) {
		t.Fatalf("lxc image list %s: does not list %s:\n%s", remote, alias, out)
	}
	name := randomName("uivmm-ssb-")
	t.Cleanup(func() { deleteInstance(e, name) })
	lxc("launch", remote+":"+alias, name)
	waitRunning(t, e, name, 30*time.Second)
	if out := lxc("list", name, "--format", "csv", "-c", "s"); strings.TrimSpace(out) != "RUNNING" {
		t.Fatalf("lxc list %s: %q", name, out)
	}
	if inst, _, err := e.client.GetInstance(name); err != nil || inst.Config["volatile.base_image"] != fp {
		t.Fatalf("instance base image %v, %v; want %s", inst.Config["volatile.base_image"], err, fp)
	}
}

func startTLS(t *testing.T) *server {
	t.Helper()
	env := apptest.StartTLS(t)
	_, tok := env.AddUser("admin", 1)
	return &server{Env: env, token: tok}
}

// TestInstanceAddFromUivmmImageServer: instance.add with
// image_server_host set to uivmm's own HTTPS simplestreams URL creates a
// container that runs; uivmm passes its certificate in the image source.
func TestInstanceAddFromUivmmImageServer(t *testing.T) {
	e := testLXD(t)
	s := startTLS(t)
	fp := s.publishUnique(t, e, randomName("uivmm-ss-"))
	host, port, err := net.SplitHostPort(e.Addr)
	if err != nil {
		t.Fatal(err)
	}
	r := s.MustOK("server.add", s.token, map[string]any{"server_host": host, "server_port": port,
		"server_password": e.Password, "server_protocol": "lxd", "provider": "lxd"})
	serverID := r.ID()
	// image.list on uivmm's own URL (as image.serverList offers it) pins
	// uivmm's certificate too.
	r = s.MustOK("image.list", s.token, map[string]any{"server_id": serverID, "provider": "lxd",
		"image_server_host": s.URL + "/api/v1/simplestream.list"})
	found := false
	for _, it := range r.List() {
		found = found || it["attributes"].(map[string]any)["image_fingerprint"] == fp
	}
	if !found {
		t.Fatalf("image.list of uivmm's own server does not list %s: %s", fp, r.Raw)
	}
	name := randomName("uivmm-ssc-")
	t.Cleanup(func() { deleteInstance(e, name) })
	r = s.Call("instance.add", s.token, map[string]any{"server_id": serverID, "provider": "lxd",
		"instance_name": name, "instance_type": "container", "instance_profiles": "default",
		"image_server_host": s.URL + "/api/v1/simplestream.list", "instance_image": fp})
	if r.Status != 200 {
		t.Fatalf("instance.add = %d %s", r.Status, r.Raw)
	}
	waitRunning(t, e, name, 3*time.Minute)
	if inst, _, err := e.client.GetInstance(name); err != nil || inst.Config["volatile.base_image"] != fp {
		t.Fatalf("instance base image %v, %v; want %s", inst.Config["volatile.base_image"], err, fp)
	}
}
