package lxd_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/lxd"
)

func TestIdentityIsCreatedOnceAndReloaded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := lxd.LoadOrCreateIdentity(dir)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, f := range []string{lxd.IdentityCertFile, lxd.IdentityKeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("stat %s: %v", f, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("data dir has mode %v, want 0700", st.Mode().Perm())
	}
	// A loosened mode is put back to 0600 on load.
	if err := os.Chmod(filepath.Join(dir, lxd.IdentityKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := lxd.LoadOrCreateIdentity(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if second.Fingerprint() != first.Fingerprint() || second.CertPEM != first.CertPEM {
		t.Errorf("reload gave another identity: %s, want %s", second.Fingerprint(), first.Fingerprint())
	}
	if st, _ := os.Stat(filepath.Join(dir, lxd.IdentityKeyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key mode after reload is %v, want 0600", st.Mode().Perm())
	}
	block, _ := pem.Decode([]byte(first.CertPEM))
	sum := sha256.Sum256(block.Bytes)
	if want := hex.EncodeToString(sum[:]); first.Fingerprint() != want {
		t.Errorf("Fingerprint() = %s, want sha256 of the DER %s", first.Fingerprint(), want)
	}
}

func TestIdentityNeverPrintsItsKey(t *testing.T) {
	id := identity(t)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("identity", "id", id)
	for _, out := range []string{fmt.Sprint(id), fmt.Sprintf("%v %+v %#v %s", id, id, id, id), buf.String()} {
		if strings.Contains(out, "PRIVATE") || strings.Contains(out, id.KeyPEM) {
			t.Errorf("printed identity contains the key: %q", out)
		}
		if !strings.Contains(out, id.Fingerprint()) {
			t.Errorf("printed identity lacks the fingerprint: %q", out)
		}
	}
}

func TestIdentityRefusesHalfAPair(t *testing.T) {
	dir := t.TempDir()
	if _, err := lxd.LoadOrCreateIdentity(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, lxd.IdentityKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := lxd.LoadOrCreateIdentity(dir); err == nil {
		t.Fatal("loading a certificate without its key succeeded; it must fail, not make a new identity")
	}
}
