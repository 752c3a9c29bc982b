// Package credential holds the passkey (WebAuthn credential) aggregate: the
// public record of one authenticator key registered to a user, its
// signature counter as it advances with every login, and its deletion by
// its owner. Stream: "credential-<id>".
//
// Only public data is recorded: the credential id chosen by the
// authenticator (KeyID, base64url), its COSE public key, the AAGUID, the
// counter and flags. Verifying ceremonies is the job of package passkey,
// driven by the command layer; this package only keeps the invariants that
// outlive a ceremony: a counter never goes back, a deleted credential is
// never used again, and only its owner deletes it.
//
// Uniqueness of a credential id across all accounts is kept by a claim
// (package unique) in ClaimNamespace under ClaimKey, not by this aggregate.
//
// It imports only the standard library and package domain.
package credential
