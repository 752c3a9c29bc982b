// Package unique holds the two tiny aggregates that let an event-sourced
// system keep global invariants without a read model: Sequence, which hands
// out the API's numeric ids (the stream's revision + 1), and Claim, which
// reserves a unique key such as a login, an e-mail address or a server's
// host and port for one owner.
//
// Both rely on the store's expected-revision check, so they are correct
// across several uivmm processes sharing one store. It imports only the
// standard library and package domain.
package unique
