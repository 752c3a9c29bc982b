// Package server holds the server aggregate: an LXD host a user added to
// uivmm (stream "server-<id>"), with the certificate pinned when it was
// trusted, and the mutations users ask for on the host's resources
// (profiles, images, trusted certificates).
//
// A mutation is a request event ("server:profile_update_requested") that
// a reactor applies to LXD, then one outcome event carrying the same
// request id: success ("server:profile_updated") or failure with the
// reason ("server:profile_update_failed"). The aggregate tracks pending
// requests so an outcome is recorded at most once, and remembers recent
// outcomes so a repeated request is answered without a second call.
//
// Uniqueness of host and port is kept by a claim (package unique) keyed
// by ClaimKey, not by this aggregate. The trust secret never reaches this
// package.
//
// It imports only the standard library and package domain.
package server
