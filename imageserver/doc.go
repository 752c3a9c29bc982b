// Package imageserver runs uivmm's built-in simplestreams image server,
// the one LXD and Incus hosts use as an image remote
// (<origin>/api/v1/simplestream.list). It joins the pure parts of package
// simplestreams to the event-sourced core:
//
//   - Upload streams the files of simplestream.upload into the
//     content-addressed blob store (never a whole file in memory), checks
//     them, and publishes a version through the command bus only once it
//     is complete and valid (simplestreams.BuildVersion). A version may
//     arrive in one upload or in several: a lone valid file is recorded
//     as pending (product:file_received) until its partner arrives. A
//     refused or interrupted upload publishes nothing and removes the
//     blobs it brought that nothing refers to.
//   - Stream renders streams/v1/index.json and images.json from the
//     simplestreams read model and caches the bytes, keyed by the
//     position of the last product event the model applied; OpenItem
//     opens the blob behind an item path, only for published versions.
//   - Run is the housekeeping worker: it prunes versions older than
//     images_lifetime (the newest of each product is always kept), drops
//     pending files never completed, and removes blobs no event refers to
//     (Store.GC with a grace period, also at start, for crash leftovers).
//
// Once across processes: pruning and discarding are decided by the
// product aggregate under the store's expected revision, so when several
// processes run the worker each decision is still recorded once (a
// repeat records nothing). Blob files are local to a process's data
// directory, so each process removes its own.
//
// It imports commands (for the command types), domain, eventstore (for
// metadata), readmodels and simplestreams; never api or app.
package imageserver
