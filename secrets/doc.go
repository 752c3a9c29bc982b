// Package secrets makes and checks uivmm's secrets: argon2id password
// hashes, random bearer tokens, and the 36-character one-time codes that
// are mailed out. Only hashes ever leave this package to be stored.
//
// It imports the standard library, golang.org/x/crypto/argon2 and
// github.com/google/uuid.
package secrets
