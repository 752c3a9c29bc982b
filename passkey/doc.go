// Package passkey runs the WebAuthn (passkey) ceremonies of uivmm on top of
// github.com/go-webauthn/webauthn, in the wire encoding that the ui-vmm
// front-end expects (CONTRACT.md §6).
//
// The package is storage-agnostic. Callers pass in the user and the public
// credential records they already hold and receive the public data to record
// (as events, rows, …); nothing here persists anything. What the package does
// own is the short-lived challenge state between a Begin call and its Finish
// call:
//
//   - Sessions are keyed by (purpose, user login): one pending registration
//     and one pending login per login at a time. A new Begin replaces the
//     pending session for the same key, so the older challenge stops working.
//   - A session is single-use: the Finish call consumes it whether
//     verification succeeds or fails.
//   - A session expires Config.ChallengeTTL after its Begin call, measured
//     with the injected clock.
//   - Because the key is the login, anyone who may call Begin for a login
//     (user.assertionGet needs no token) can replace its pending challenge;
//     that only makes the other attempt fail with ErrNoChallenge or
//     ErrBadChallenge. Rate limiting belongs to the HTTP layer.
//   - Sessions live in the memory of one process. They do not survive a
//     restart and are not shared between replicas; a deployment with several
//     replicas must route both steps of a ceremony to the same process.
//
// The options returned by the Begin calls are the `publicKey` object handed to
// navigator.credentials.create / get. Its binary members (challenge, user.id,
// excludeCredentials[].id, allowCredentials[].id) are standard base64 because
// the front-end decodes them with atob. The bodies passed to the Finish calls
// are what the browser sends back: base64url without padding.
//
// Every error returned by the Finish calls matches exactly one of the sentinel
// errors in errors.go with errors.Is. All of them describe a bad request
// (HTTP 400 class); none of them must ever become a 401, which makes the
// front-end drop its session.
//
// Imports: the standard library and go-webauthn only. This package must not
// import uivmm's domain, command, event-store or HTTP packages; the
// subpackage softauthn is for tests only and must not be imported by
// production code.
package passkey
