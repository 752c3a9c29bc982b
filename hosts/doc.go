// Package hosts keeps one LXD connection per managed server: it connects
// lazily with uivmm's client identity and the server's pinned certificate
// (looked up through Lookup, e.g. from the servers read model), caches the
// connection, and forgets it when the server is removed or its
// certificate changes.
//
// It imports lxd and the standard library.
package hosts
