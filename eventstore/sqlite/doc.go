// Package sqlite holds the default event store adapter: eventstore.Store
// over one SQLite file, through the pure-Go driver modernc.org/sqlite.
//
// The file is in WAL mode with synchronous=FULL, so an append returns only
// after its commit is durable. One writer goroutine owns the only write
// connection and commits appends that arrive together in one transaction
// (group commit); a failing append is isolated by a savepoint. While
// other callers are appending, the writer waits up to a commit delay (2ms
// by default, WithCommitDelay) for eight appends (or as many as the last
// commit held) to share the commit and its fsync; a lone caller, and the first append after a
// pause, never wait (commitdelay.go). Readers use a
// separate connection pool. Subscriptions are woken after every in-process
// commit and by a poller, so several processes sharing one file see each
// other's appends.
//
// The store keeps the last few thousand events it committed (tail.go):
// followers that are up to date read a commit from memory rather than with
// a query. A page from memory may miss only what other processes appended
// since the store last learnt the head (its poller, Head), as a read a
// moment earlier would. Pages of 1024 events or more (a rebuild) are read
// at the driver level, below database/sql (readbulk.go).
//
// It imports the standard library, the eventstore port, its internal
// packages and the SQLite driver; it must not import other adapters or any
// application package.
package sqlite
