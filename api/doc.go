// Package api is uivmm's HTTP face: the chi router that serves the 47
// ui-vmm JSON:API v0.2 methods under /api/v1/ and /v1/, the JSON:API
// envelope, the one error mapper, bearer-token authentication, body
// decoding with its limits, and one file per method group.
//
// A mutating method decodes and validates its body, sends a command on the
// bus, waits until the read models have caught up with the command's
// position (read-your-writes, bounded), and answers from the read models.
//
// It imports commands, readmodels, domain and eventstore (for metadata),
// never the event store adapters.
package api
