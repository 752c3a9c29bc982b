// Package softauthn is a software WebAuthn authenticator plus browser, for
// tests only. It turns the `publicKey` options the ui-vmm front-end receives
// (binary members in standard base64, as decoded by atob) into the JSON the
// front-end sends back (binary members in base64url without padding):
//
//   - registration: {id, rawId, type:"public-key", response:{attestationObject, clientDataJSON}}
//   - login: {id, rawId, type:"public-key", response:{authenticatorData, clientDataJSON, signature, userHandle}}
//
// Each credential has its own ECDSA P-256 key (COSE alg -7, ES256). The
// attestation object is real CBOR with format "none"; the authenticator data
// carries the RP ID hash, the UP, UV (and, at registration, AT) flags, the
// signature counter and, at registration, the attested credential data
// (AAGUID, credential id, COSE EC2 public key). Assertions are DER ECDSA
// signatures over authenticatorData || SHA-256(clientDataJSON).
//
// Tests can misbehave on purpose: answer from another origin, answer an old
// challenge, sign with a credential that was not offered, ignore
// excludeCredentials, omit the user handle, or set/rewind a counter.
//
// An Authenticator is safe for concurrent use. The package imports only the
// standard library and github.com/fxamacker/cbor/v2; production code must not
// import it.
package softauthn
