package lxdtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/eventstore"
)

func TestCertificates(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	own := h.App.LXD.Identity.Fingerprint()

	// A certificate someone else trusted on the host.
	_, der := selfSignedPEM(t)
	sum := sha256.Sum256(der)
	other := hex.EncodeToString(sum[:])
	admin := h.lxd.Admin(t)
	if err := admin.CreateCertificate(lxdapi.CertificatesPost{Name: name("uivmm-other"), Type: "client",
		Certificate: base64.StdEncoding.EncodeToString(der)}); err != nil {
		t.Fatalf("trusting a test certificate: %v", err)
	}
	t.Cleanup(func() { h.lxd.Untrust(t, other) })

	list := h.MustOK("certificate.list", alice, on(id)).List()
	checkIDs(t, list)
	for _, fp := range []string{own, other} {
		got := byAttr(list, "certificate_fingerprint", fp)
		if len(got) != 1 || attrs(got[0])["certificate_type"] != "client" || attrs(got[0])["provider"] != "lxd" {
			t.Fatalf("certificate %s in certificate.list: %v", fp[:12], list)
		}
	}

	// uivmm's own certificate, in full or by a prefix, is refused.
	for _, fp := range []string{own, strings.ToUpper(own[:10])} {
		wantError(t, h.Call("certificate.revoke", alice, on(id, "certificate_fingerprint", fp)), 403,
			"uivmm's own certificate cannot be revoked")
	}
	wantError(t, h.Call("certificate.revoke", alice, on(id, "certificate_fingerprint", "")), 400, "this field must be filled in")
	wantError(t, h.Call("certificate.revoke", alice, on(id, "certificate_fingerprint", "xyz")), 400, "hexadecimal")

	wantAck(t, h.Call("certificate.revoke", alice, on(id, "certificate_fingerprint", other)), "certificate")
	if len(trusted(t, h.lxd, other)) != 0 {
		t.Fatal("the revoked certificate is still trusted")
	}
	if got := byAttr(h.MustOK("certificate.list", alice, on(id)).List(), "certificate_fingerprint", other); len(got) != 0 {
		t.Fatalf("certificate.list still shows the revoked certificate")
	}
	// A second revoke finds nothing: LXD's 404, recorded as a failure.
	wantError(t, h.Call("certificate.revoke", alice, on(id, "certificate_fingerprint", other)), 404, "")

	evs := h.settled(t, id, 5*time.Second)
	checkOutcomes(t, evs, map[string]int{"server:certificate_revoke_requested": 2, "server:certificate_revoked": 1,
		"server:certificate_revoke_failed": 1})
	h.MustOK("server.get", alice, on(id)) // uivmm still has access
}

// checkOutcomes checks the request and outcome events of a server: their
// counts, and that each outcome names its request: the same request id,
// the request event as causation, the system as actor.
func checkOutcomes(t testing.TB, evs []eventstore.RecordedEvent, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	requests := map[string]string{}
	for _, ev := range evs {
		got[ev.Type]++
		if strings.HasSuffix(ev.Type, "_requested") {
			requests[ev.Metadata.RequestID] = ev.ID
			if ev.Metadata.ActorKind != "user" || ev.Metadata.RequestID == "" {
				t.Errorf("%s metadata %+v", ev.Type, ev.Metadata)
			}
		}
	}
	for _, ev := range evs {
		if ev.Type == "server:added" || strings.HasSuffix(ev.Type, "_requested") {
			continue
		}
		m := ev.Metadata
		if m.ActorKind != "system" || m.CausationID == "" || requests[m.RequestID] != m.CausationID {
			t.Errorf("outcome %s does not name its request: %+v", ev.Type, m)
		}
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s events, want %d (all: %v)", got[typ], typ, n, got)
		}
	}
}
