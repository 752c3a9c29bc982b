// Package instance holds the instance aggregate: one container or virtual
// machine on one managed LXD server, in stream "instance-<id>".
//
// The numeric id is handed out once (sequence "instance") and recorded in
// the first event: Requested when a user asks uivmm for the instance,
// AppearedExternally when it was made behind uivmm's back (lxc launch).
// The pair (server, name) is kept unique by a claim (package unique) on
// ClaimKey, so both paths agree on which stream an LXD instance belongs
// to; the claim is freed once the instance is Deleted or has
// VanishedExternally, and the name can then be used again.
//
// Work on LXD is asked for (Requested, ActionRequested) and its outcome
// recorded later by a reactor (Created, Started, Failed, ActionSucceeded,
// ActionFailed, Deleted). What LXD reports on its own is recorded as
// StatusObserved, AppearedExternally and VanishedExternally. The aggregate
// remembers the work still pending, so an LXD event that merely echoes
// uivmm's own request is recognised (Observe records nothing), while any
// other change is recorded.
//
// It imports only the standard library and package domain.
package instance
