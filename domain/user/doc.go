// Package user holds the User aggregate: registration and activation,
// password changes, locks and recovery, e-mail changes, and the one-time
// codes those flows mail out. Codes and passwords reach this package only
// as hashes (see package secrets); it never sees a raw secret.
//
// It imports only the standard library and package domain.
package user
