// Package metrics holds uivmm's Prometheus instrumentation: the collectors,
// the registry that /metrics serves, and the small hooks other packages
// call (an HTTP middleware, a command observer for commands.BusConfig, an
// event store decorator, and functions for the LXD and stream adapters).
//
// The counters and gauges are process-wide, like the Prometheus default
// registry: the hooks are plain functions and may be called from any
// goroutine at any time, before or without a registry. NewRegistry builds a
// registry that exposes them together with the Go runtime and process
// collectors and any per-application collectors (projection lag). Building
// several registries in one process (as tests do) is fine: each exposes the
// same shared collectors.
//
// Every label has a bounded set of values: API method names (unknown paths
// are "unknown"), status codes, command names, error kinds, configured LXD
// hosts and projection names. Nothing is labelled by a raw URL path or any
// other request input.
//
// It imports eventstore (the port it decorates) and domain (to classify
// errors), never an adapter, the API or the application.
package metrics
