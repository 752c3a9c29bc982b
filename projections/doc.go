// Package projections turns the event log into read models and actions.
//
// One subscription on the event store (Runner) publishes every event on a
// Watermill event bus (an in-process GoChannel that delivers in order and
// waits for every subscriber's ack). Projectors subscribe under their read
// model's lasting name and write their rows and their checkpoint in one
// SQLite transaction; they are idempotent and skip what they have seen,
// so redelivery after a crash is harmless. Rebuild replays the log from
// position 0 in batches into fresh tables, one driver-level transaction
// (readmodels.DB.Bulk) per batch, while a second goroutine reads and
// decodes the next batch.
//
// Reactors (LXD calls) keep their own store subscription and checkpoint:
// they are slow and must not hold the projections back.
//
// Held workers (held.go) run only in the process holding the reactor
// lease: the LXD event listener (InstanceWatcher), which turns what LXD
// hosts report into instance events and reconciles on every connection,
// and the instance reactor's work queue (InstanceReactor).
//
// It imports domain, eventstore, readmodels, commands and lxd (the Host
// port).
package projections
