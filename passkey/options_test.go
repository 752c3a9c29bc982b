package passkey_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/uivmm/uivmm/passkey"
)

// Credential ids whose standard base64 uses "+" and "/", the characters the
// URL alphabet replaces with "-" and "_".
var (
	plusSlashID = []byte{0xfb, 0xef, 0xff, 0xfb, 0xef, 0xff}
	otherID     = []byte{0xfa, 0xce, 0xb0, 0x0c}
)

func TestRegistrationOptionsForTheBrowser(t *testing.T) {
	f := newFixture(t)
	existing := []passkey.Credential{{ID: plusSlashID}, {ID: otherID, Transports: []string{"usb"}}}
	raw, err := f.svc.BeginRegistration(alice, existing, "", "")
	if err != nil {
		t.Fatal(err)
	}
	o := decodeObject(t, raw)

	if c := stdField(t, o["challenge"]); len(c) < 16 {
		t.Fatalf("challenge has %d bytes", len(c))
	}
	user := o["user"].(map[string]any)
	if id := stdField(t, user["id"]); !bytes.Equal(id, binary.BigEndian.AppendUint64(nil, 7)) {
		t.Fatalf("user.id = %x, want 8-byte big-endian 7", id)
	}
	if user["name"] != "alice" || user["displayName"] != "Alice A." {
		t.Fatalf("user = %v", user)
	}
	rp := o["rp"].(map[string]any)
	if rp["id"] != rpID || rp["name"] != "ui-vmm" {
		t.Fatalf("rp = %v", rp)
	}
	excluded := o["excludeCredentials"].([]any)
	if len(excluded) != 2 {
		t.Fatalf("excludeCredentials = %v", excluded)
	}
	for i, want := range [][]byte{plusSlashID, otherID} {
		d := excluded[i].(map[string]any)
		if got := stdField(t, d["id"]); !bytes.Equal(got, want) || d["type"] != "public-key" {
			t.Fatalf("excludeCredentials[%d] = %v, want id %x", i, d, want)
		}
	}
	if excluded[0].(map[string]any)["id"] != "++//++//" {
		t.Fatalf("excludeCredentials[0].id = %v, want ++//++//", excluded[0].(map[string]any)["id"])
	}
	if !hasAlg(o["pubKeyCredParams"], -7) || !hasAlg(o["pubKeyCredParams"], -257) {
		t.Fatalf("pubKeyCredParams = %v", o["pubKeyCredParams"])
	}
	if o["timeout"] != float64(60000) || o["attestation"] != "direct" {
		t.Fatalf("timeout %v attestation %v", o["timeout"], o["attestation"])
	}
	sel := o["authenticatorSelection"].(map[string]any)
	if sel["authenticatorAttachment"] != "cross-platform" {
		t.Fatalf("authenticatorSelection = %v", sel)
	}
}

func TestLoginOptionsForTheBrowser(t *testing.T) {
	f := newFixture(t)
	raw := f.beginLogin(alice, passkey.Credential{ID: plusSlashID}, passkey.Credential{ID: otherID})
	o := decodeObject(t, raw)

	if c := stdField(t, o["challenge"]); len(c) < 16 {
		t.Fatalf("challenge has %d bytes", len(c))
	}
	if o["rpId"] != rpID || o["timeout"] != float64(60000) {
		t.Fatalf("rpId %v timeout %v", o["rpId"], o["timeout"])
	}
	allowed := o["allowCredentials"].([]any)
	for i, want := range [][]byte{plusSlashID, otherID} {
		if got := stdField(t, allowed[i].(map[string]any)["id"]); !bytes.Equal(got, want) {
			t.Fatalf("allowCredentials[%d].id = %x, want %x", i, got, want)
		}
	}
}

func TestEveryBeginIssuesAFreshChallenge(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for range 20 {
		raw, err := f.svc.BeginRegistration(alice, nil, "", "")
		if err != nil {
			t.Fatal(err)
		}
		c := string(stdField(t, decodeObject(t, raw)["challenge"]))
		if seen[c] {
			t.Fatal("challenge repeated")
		}
		seen[c] = true
	}
	if f.svc.Pending() != 1 {
		t.Fatalf("%d challenges pending for one login, want 1", f.svc.Pending())
	}
}

func hasAlg(params any, alg float64) bool {
	list, _ := params.([]any)
	for _, p := range list {
		if m, _ := p.(map[string]any); m["alg"] == alg && m["type"] == "public-key" {
			return true
		}
	}
	return false
}
