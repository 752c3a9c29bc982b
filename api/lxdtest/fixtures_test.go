package lxdtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/lxd/testdaemon"
)

// This file holds the test fixtures (names, certificates, tokens, images)
// and the checks on recorded requests and outcomes.

// name is a unique name for a test object.
func name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// selfSignedPEM makes a fresh self-signed certificate and returns it as
// PEM with its DER.
func selfSignedPEM(t testing.TB) (string, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "uivmm-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), der
}

// token makes a trust token on the daemon over its unix socket.
func token(t testing.TB, c lxdclient.InstanceServer, clientName string) string {
	t.Helper()
	op, err := c.CreateCertificateToken(lxdapi.CertificatesPost{Name: clientName, Type: "client", Token: true})
	if err != nil {
		t.Fatalf("CreateCertificateToken: %v", err)
	}
	opAPI := op.Get()
	tok, err := opAPI.ToCertificateAddToken()
	if err != nil {
		t.Fatalf("reading the token: %v", err)
	}
	return tok.String()
}

// importImage imports a throw-away image (a fresh metadata tarball over
// the busybox rootfs, so its fingerprint is new) and returns its
// fingerprint. It is deleted when the test ends, if still there.
func importImage(t testing.TB, d daemon) string {
	t.Helper()
	c := d.Admin(t)
	meta := metaTarball(t, name("uivmm-image"))
	rootfs, err := os.Open(filepath.Join(d.Files, "rootfs.tar.gz"))
	if err != nil {
		t.Fatalf("opening the busybox rootfs: %v; %s", err, testdaemon.UpHint)
	}
	defer rootfs.Close()
	op, err := c.CreateImage(lxdapi.ImagesPost{}, &lxdclient.ImageCreateArgs{MetaFile: bytes.NewReader(meta),
		MetaName: "meta.tar.gz", RootfsFile: rootfs, RootfsName: "rootfs.tar.gz"})
	if err != nil {
		t.Fatalf("importing an image: %v", err)
	}
	if err := op.Wait(); err != nil {
		t.Fatalf("importing an image: %v", err)
	}
	fp, _ := op.Get().Metadata["fingerprint"].(string)
	if fp == "" {
		t.Fatalf("the import gave no fingerprint: %+v", op.Get().Metadata)
	}
	t.Cleanup(func() {
		if op, err := d.Admin(t).DeleteImage(fp); err == nil {
			_ = op.Wait()
		}
	})
	return fp
}

func metaTarball(t testing.TB, description string) []byte {
	t.Helper()
	yaml := fmt.Sprintf("architecture: %s\ncreation_date: %d\nproperties:\n  description: %s\n  os: busybox\n  release: test\n",
		hostArch(), time.Now().Unix(), description)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "metadata.yaml", Mode: 0o644, Size: int64(len(yaml)), ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(yaml))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hostArch() string {
	b, err := os.ReadFile("/proc/sys/kernel/arch")
	if err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b))
	}
	return "x86_64"
}

// serverEvents returns the stored events of server id's stream.
func (h *harness) serverEvents(id int64) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for _, ev := range h.Events() {
		if ev.Stream == fmt.Sprintf("server-%d", id) {
			out = append(out, ev)
		}
	}
	return out
}

// settled waits until every request on server id has its outcome, and
// fails when one is still without after timeout.
func (h *harness) settled(t testing.TB, id int64, timeout time.Duration) []eventstore.RecordedEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		evs := h.serverEvents(id)
		open := openRequests(evs)
		if len(open) == 0 {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("requests without an outcome after %s: %v", timeout, open)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openRequests lists the request ids of request events with no outcome
// event of the same request id, and fails on an outcome without cause.
func openRequests(evs []eventstore.RecordedEvent) []string {
	requested := map[string]string{} // request id → the request event id
	var order []string
	for _, ev := range evs {
		switch {
		case strings.HasSuffix(ev.Type, "_requested"):
			requested[ev.Metadata.RequestID] = ev.ID
			order = append(order, ev.Metadata.RequestID)
		case ev.Metadata.ActorKind == eventstore.ActorSystem && ev.Metadata.CausationID != "":
			if requested[ev.Metadata.RequestID] == ev.Metadata.CausationID {
				delete(requested, ev.Metadata.RequestID)
			}
		}
	}
	var open []string
	for _, id := range order {
		if _, ok := requested[id]; ok {
			open = append(open, id)
		}
	}
	return open
}

// lxdToken is a well-formed trust token for the certificate der.
func lxdToken(t testing.TB, der []byte) string {
	t.Helper()
	sum := sha256.Sum256(der)
	tok := lxdapi.CertificateAddToken{ClientName: "uivmm-foreign", Fingerprint: hex.EncodeToString(sum[:]),
		Addresses: []string{"127.0.0.1:1"}, Secret: "0123456789abcdef", ExpiresAt: time.Now().Add(time.Hour)}
	return tok.String()
}

// trusted returns [fp] when the daemon trusts certificate fp, else nil.
func trusted(t testing.TB, d daemon, fp string) []string {
	t.Helper()
	if _, _, err := d.Admin(t).GetCertificate(fp); err != nil {
		return nil
	}
	return []string{fp}
}
