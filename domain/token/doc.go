// Package token holds the Token aggregate: a bearer token of type
// "user.login" or "system.api", kept only as the hash of its secret, with
// its lifetime and revocation.
//
// It imports only the standard library and package domain.
package token
