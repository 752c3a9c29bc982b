// Package projections turns the event log into read models and actions.
//
// One subscription on the event store (Runner) publishes every event on a
// Watermill event bus (an in-process GoChannel that delivers in order and
// waits for every subscriber's ack). Each projector subscribes to its own
// topic under its read model's lasting name, and gets only the event types
// it handles (the runner moves it past the others); it writes its rows and
// its checkpoint in one SQLite transaction, is idempotent and skips what
// it has seen, so redelivery after a crash is harmless. Listeners (the
// event stream, LXD outcomes) get every event once every projection has
// applied it. Rebuild replays the log from
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
