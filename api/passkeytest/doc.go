// Package passkeytest holds the integration tests of the passkey methods
// (user.credential*, user.assertion*) against a running uivmm, driven by
// the software authenticator in passkey/softauthn exactly as the original
// front-end calls them. It has no code outside its tests.
package passkeytest
