// Package lease holds the Lease aggregate: which uivmm process may run a
// group of reactors (the ones that act on LXD), until when, and how far it
// has got. Several processes may share one event store; the lease makes
// reactors act once across all of them. The lease stream is also the
// reactors' checkpoint, so every checkpoint write is fenced: a process
// that lost the lease fails its next append (expected revision) and stops.
//
// It imports only the standard library and package domain.
package lease
