package softauthn_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/uivmm/uivmm/passkey/softauthn"
)

const creation = `{"challenge":"+/+/+/+/+/+/+/+/+/+/+w==","rp":{"id":"vmm.example.com","name":"ui-vmm"},
 "user":{"id":"AAAAAAAAAAc=","name":"alice","displayName":"alice"},
 "pubKeyCredParams":[{"type":"public-key","alg":-7}]}`

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%q is not unpadded base64url: %v", s, err)
	}
	return b
}

func TestRegisterBuildsNoneAttestation(t *testing.T) {
	a := softauthn.New("https://vmm.example.com")
	out, err := a.Register(json.RawMessage(creation))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		ID, RawID, Type string
		Response        struct{ AttestationObject, ClientDataJSON string }
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != r.RawID || r.Type != "public-key" {
		t.Fatalf("response %+v", r)
	}
	var cd struct{ Type, Challenge, Origin string }
	if err := json.Unmarshal(decode(t, r.Response.ClientDataJSON), &cd); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString("+/+/+/+/+/+/+/+/+/+/+w==")
	wantChallenge := base64.RawURLEncoding.EncodeToString(raw)
	if cd.Type != "webauthn.create" || cd.Origin != "https://vmm.example.com" || cd.Challenge != wantChallenge {
		t.Fatalf("client data %+v, want challenge %s", cd, wantChallenge)
	}
	var obj struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}
	if err := cbor.Unmarshal(decode(t, r.Response.AttestationObject), &obj); err != nil {
		t.Fatal(err)
	}
	ad := obj.AuthData
	rpHash := sha256.Sum256([]byte("vmm.example.com"))
	idLen := int(binary.BigEndian.Uint16(ad[53:55]))
	switch {
	case obj.Fmt != "none" || len(obj.AttStmt) != 0:
		t.Fatalf("fmt %q attStmt %v", obj.Fmt, obj.AttStmt)
	case !bytes.Equal(ad[:32], rpHash[:]) || ad[32] != 0x45:
		t.Fatalf("rpIdHash/flags wrong: %x", ad[:33])
	case !bytes.Equal(ad[37:53], a.AAGUID()):
		t.Fatalf("aaguid %x", ad[37:53])
	case !bytes.Equal(ad[55:55+idLen], decode(t, r.RawID)):
		t.Fatal("attested credential id differs from rawId")
	}
}

func TestBrowserRules(t *testing.T) {
	a := softauthn.New("https://vmm.example.com")
	urlChallenge := bytes.Replace([]byte(creation), []byte("+/+/"), []byte("-_-_"), 1)
	if _, err := a.Register(urlChallenge); err == nil {
		t.Fatal("a base64url challenge was accepted; atob rejects it")
	}
	noES256 := bytes.Replace([]byte(creation), []byte(`"alg":-7`), []byte(`"alg":-257`), 1)
	if _, err := a.Register(noES256); !errors.Is(err, softauthn.ErrUnsupported) {
		t.Fatalf("options without ES256: %v", err)
	}
	request := `{"challenge":"AAAAAAAAAAAAAAAAAAAAAA==","rpId":"vmm.example.com","allowCredentials":[{"type":"public-key","id":"AQID"}]}`
	if _, err := a.Login(json.RawMessage(request)); !errors.Is(err, softauthn.ErrNoCredential) {
		t.Fatalf("login without a matching credential: %v", err)
	}
}
