// Package reactors holds the reactors that apply requested changes to LXD
// hosts and record what happened as outcome events (success, or failure
// with a user-safe reason), through the command layer's Repo. They run
// under projections.ReactorRunner (group "lxd"): one at a time, after a
// lease, with a fenced checkpoint.
//
// It imports commands (the Repo), domain and its aggregates, eventstore,
// lxd (the Host port) and projections (the Reactor interface). It does
// not import api: the error classification is injected.
package reactors
