package softauthn

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagAT = 0x40 // attested credential data included
)

// COSE labels and values for an EC2 P-256 ES256 key (RFC 9053).
const (
	coseKty      = 1
	coseAlg      = 3
	coseCrv      = -1
	coseX        = -2
	coseY        = -3
	coseKtyEC2   = 2
	coseAlgES256 = -7
	coseCrvP256  = 1
)

// marshal encodes v as CBOR in the CTAP2 canonical form authenticators use.
func marshal(v any) ([]byte, error) {
	m, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		return nil, fmt.Errorf("cbor enc mode: %w", err)
	}
	return m.Marshal(v)
}

// authData builds authenticator data: rpIdHash, flags, signCount and, when
// attested is non-nil, the attested credential data.
func authData(rpID string, flags byte, count uint32, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := make([]byte, 0, 37+len(attested))
	out = append(out, h[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

// attestedCredentialData is AAGUID || len(credId) || credId || COSE key.
func attestedCredentialData(aaguid [16]byte, id []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	key, err := coseKey(pub)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), aaguid[:]...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(id)))
	out = append(out, id...)
	return append(out, key...), nil
}

// coseKey encodes pub as a COSE_Key map {1:2, 3:-7, -1:1, -2:x, -3:y}.
func coseKey(pub *ecdsa.PublicKey) ([]byte, error) {
	ek, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("converting public key: %w", err)
	}
	point := ek.Bytes() // 0x04 || X (32) || Y (32)
	return marshal(map[int]any{
		coseKty: coseKtyEC2,
		coseAlg: coseAlgES256,
		coseCrv: coseCrvP256,
		coseX:   point[1:33],
		coseY:   point[33:65],
	})
}

// attestationObject encodes {fmt:"none", attStmt:{}, authData}.
func attestationObject(authData []byte) ([]byte, error) {
	return marshal(struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}{Fmt: "none", AttStmt: map[string]any{}, AuthData: authData})
}
