// Package app wires uivmm together: it opens the event store named by the
// configuration, the read models in the data directory, the command bus
// with every handler, the projection runner with every projector, and the
// HTTP API. New is the one production constructor; tests build the same
// graph through it with their own configuration.
//
// It imports everything; nothing imports it but cmd/uivmm and tests.
package app
