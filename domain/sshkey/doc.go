// Package sshkey holds the SSH key aggregate: a user's public key, added
// with a name and deleted by its owner. The key reaches this package
// already parsed (type, authorized_keys line, SHA256 fingerprint); parsing
// with golang.org/x/crypto/ssh is the command layer's job, so this package
// stays free of crypto dependencies.
//
// Uniqueness of a key per user is kept by a claim (package unique) keyed
// by ClaimKey, not by this aggregate.
//
// It imports only the standard library and package domain.
package sshkey
