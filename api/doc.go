// Package api is uivmm's HTTP face: the chi router that serves the 47
// ui-vmm JSON:API v0.2 methods under /api/v1/ and /v1/, the JSON:API
// envelope, the one error mapper, bearer-token authentication, body
// decoding with its limits, and one file per method group.
//
// A mutating method decodes and validates its body, sends a command on the
// bus, waits until the read models have caught up with the command's
// position (read-your-writes, bounded), and answers from the read models.
// A mutation on an LXD host (profile.update, image.delete, ...) instead
// waits, bounded, for the reactor's outcome event (projections.Outcomes)
// and answers with it.
//
// It imports commands, readmodels, domain and eventstore (for metadata),
// lxd (its types and errors), projections (the outcome waiter) and
// imageserver (the simplestreams server), never the event store adapters.
package api
