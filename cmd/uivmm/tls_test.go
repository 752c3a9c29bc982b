package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
)

// TestServeHTTPSWithTLS13 runs `uivmm serve` with tls.key and tls.pub set:
// it serves HTTPS only, and a client that accepts nothing below TLS 1.3
// (as LXD's lxc does for simplestreams remotes) gets its answer.
func TestServeHTTPSWithTLS13(t *testing.T) {
	dir := t.TempDir()
	keyPath, pubPath := apptest.WriteCertificate(t, dir)
	c := startServe(t, buildBinary(t, dir), dir, fmt.Sprintf("tls: {key: %s, pub: %s}\n", keyPath, pubPath))
	pem, err := os.ReadFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}}}
	resp, err := client.Get("https://" + c.addr + "/api/v1/simplestream.list/streams/v1/index.json")
	if err != nil {
		t.Fatalf("HTTPS with TLS 1.3: %v\n%s", err, c.logs())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("index.json: %d over TLS version %x", resp.StatusCode, resp.TLS.Version)
	}
	if resp, err := http.Get("http://" + c.addr + "/api/v1/health.alive"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatalf("plain HTTP is served on the TLS listener")
		}
	}
}
