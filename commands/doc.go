// Package commands holds uivmm's write side: one file per command (the
// command struct, its handler and the handler's constructor), the Repo that
// loads aggregates from the event store and appends their changes with the
// expected revision, and the Bus that carries commands over Watermill's
// cqrs component and brings their results back with requestreply.
//
// A handler loads, decides (in the domain), appends; on a concurrency
// conflict it reloads and decides again a bounded number of times, then
// fails with 409. Handlers are registered under lasting names (the
// command's CommandName): renaming one changes the Watermill topic.
// Handlers must be safe for concurrent use.
//
// It imports domain, eventstore, secrets, passkey (the WebAuthn
// ceremonies), golang.org/x/crypto/ssh (to parse public keys), simplestreams
// (pure product validation) and small ports (Mailer, lookups) that adapters
// implement. It does not import api, projections or
// readmodels.
package commands
