package lxd_test

import (
	"errors"
	"strings"
	"testing"

	lxdclient "github.com/canonical/lxd/client"
	"github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/lxd"
)

func TestProbeSeesAnLXDThatDoesNotTrustUs(t *testing.T) {
	e := env(t)
	res, err := lxd.Probe(ctx(t), e.Host, e.Port, 0)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	srv, _, err := e.Admin(t).GetServer()
	if err != nil {
		t.Fatal(err)
	}
	if res.Fingerprint != srv.Environment.CertificateFingerprint {
		t.Errorf("Probe fingerprint %s, daemon says %s", res.Fingerprint, srv.Environment.CertificateFingerprint)
	}
	if !strings.Contains(res.CertPEM, "BEGIN CERTIFICATE") {
		t.Errorf("Probe CertPEM is not PEM: %q", res.CertPEM)
	}
	if res.APIVersion != "1.0" || res.Auth != "untrusted" || res.Trusted {
		t.Errorf("Probe = api %q auth %q trusted %v, want 1.0 untrusted false", res.APIVersion, res.Auth, res.Trusted)
	}
	if !res.CertificateToken || len(res.APIExtensions) == 0 {
		t.Errorf("Probe: certificate_token %v, %d extensions; LXD 5.0.2 has the extension", res.CertificateToken, len(res.APIExtensions))
	}
}

func TestTrustWithPasswordIsIdempotent(t *testing.T) {
	e := env(t)
	id := identity(t)
	e.untrust(t, id)
	pinned, err := lxd.Trust(ctx(t), e.Host, e.Port, e.Password, id)
	if err != nil {
		t.Fatalf("Trust: %v", err)
	}
	if pinned.AlreadyTrusted || !strings.Contains(pinned.CertPEM, "BEGIN CERTIFICATE") || len(pinned.Fingerprint) != 64 {
		t.Errorf("Trust = %+v, want a fresh trust with a PEM and a fingerprint", pinned)
	}
	cert, _, err := e.Admin(t).GetCertificate(id.Fingerprint())
	if err != nil {
		t.Fatalf("uivmm's certificate is not in the trust store: %v", err)
	}
	if cert.Name != lxd.DefaultClientName || cert.Type != "client" {
		t.Errorf("trust store entry = %q %q, want %q client", cert.Name, cert.Type, lxd.DefaultClientName)
	}
	again, err := lxd.Trust(ctx(t), e.Host, e.Port, "not-the-password", id)
	if err != nil {
		t.Fatalf("Trust when already trusted: %v", err)
	}
	if !again.AlreadyTrusted || again.Fingerprint != pinned.Fingerprint {
		t.Errorf("second Trust = %+v, want AlreadyTrusted with the same fingerprint", again)
	}
}

func TestTrustWithAWrongPasswordIsRefused(t *testing.T) {
	e := env(t)
	id := identity(t)
	e.untrust(t, id)
	_, err := lxd.Trust(ctx(t), e.Host, e.Port, "wrong-"+e.Password, id)
	if !errors.Is(err, lxd.ErrTrustRefused) {
		t.Fatalf("Trust with a wrong password = %v, want ErrTrustRefused", err)
	}
	if _, _, err := e.Admin(t).GetCertificate(id.Fingerprint()); !isNotFound(err) {
		t.Errorf("a refused certificate is in the trust store (err %v)", err)
	}
}

// token makes a trust token over the unix socket.
func token(t *testing.T, c lxdclient.InstanceServer, clientName string) string {
	t.Helper()
	op, err := c.CreateCertificateToken(api.CertificatesPost{Name: clientName, Type: "client", Token: true})
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

func TestTrustWithTokenAfterVerify(t *testing.T) {
	e := env(t)
	admin := e.Admin(t)
	id := identity(t)
	e.untrust(t, id)
	clientName := name("uivmm-token")
	secret := token(t, admin, clientName)

	// Verify must not spend the single-use token.
	res, err := lxd.Verify(ctx(t), e.Host, e.Port, secret)
	if err != nil {
		t.Fatalf("Verify(token): %v", err)
	}
	if res.Trusted {
		t.Errorf("Verify reports an anonymous probe as trusted")
	}
	pinned, err := lxd.Trust(ctx(t), e.Host, e.Port, secret, id)
	if err != nil {
		t.Fatalf("Trust(token) after Verify: %v", err)
	}
	if pinned.Fingerprint != res.Fingerprint {
		t.Errorf("pinned %s, probed %s", pinned.Fingerprint, res.Fingerprint)
	}
	cert, _, err := admin.GetCertificate(id.Fingerprint())
	if err != nil {
		t.Fatalf("certificate added with a token is not in the trust store: %v", err)
	}
	if cert.Name != clientName {
		t.Errorf("trust store name %q, want the token's %q", cert.Name, clientName)
	}
	// A spent token is refused for another identity.
	other := identity(t)
	e.untrust(t, other)
	if _, err := lxd.Trust(ctx(t), e.Host, e.Port, secret, other); !errors.Is(err, lxd.ErrTrustRefused) {
		t.Errorf("Trust with a spent token = %v, want ErrTrustRefused", err)
	}
}

func TestTrustTokenOfAnotherServerIsRefused(t *testing.T) {
	e := env(t)
	tok := api.CertificateAddToken{ClientName: "x", Fingerprint: strings.Repeat("ab", 32),
		Addresses: []string{"127.0.0.1:1"}, Secret: "s"}
	id := identity(t)
	e.untrust(t, id)
	if _, err := lxd.Trust(ctx(t), e.Host, e.Port, tok.String(), id); !errors.Is(err, lxd.ErrCertificateChanged) {
		t.Errorf("Trust with a foreign token = %v, want ErrCertificateChanged", err)
	}
	if _, err := lxd.Verify(ctx(t), e.Host, e.Port, tok.String()); !errors.Is(err, lxd.ErrCertificateChanged) {
		t.Errorf("Verify with a foreign token = %v, want ErrCertificateChanged", err)
	}
}

func TestVerifyPasswordLeavesTheTrustStoreAsItWas(t *testing.T) {
	e := env(t)
	if _, err := lxd.Verify(ctx(t), e.Host, e.Port, e.Password); err != nil {
		t.Fatalf("Verify(right password): %v", err)
	}
	if _, err := lxd.Verify(ctx(t), e.Host, e.Port, "wrong"); !errors.Is(err, lxd.ErrTrustRefused) {
		t.Errorf("Verify(wrong password) = %v, want ErrTrustRefused", err)
	}
	certs, err := e.Admin(t).GetCertificates()
	if err != nil {
		t.Fatal(err)
	}
	// Verify trusts a throw-away certificate named <client>-verify, then
	// deletes it again.
	for _, c := range certs {
		if c.Name == lxd.DefaultClientName+"-verify" {
			t.Errorf("Verify left its certificate %s in the trust store", c.Fingerprint)
		}
	}
}
