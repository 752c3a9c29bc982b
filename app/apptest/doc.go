// Package apptest starts a real uivmm (the same app.New graph as
// production: SQLite event store, SQLite read models, Watermill bus, the
// outbox mailer) on a temporary data directory behind an httptest server,
// and offers small helpers to call methods, read mailed codes and make
// users. Integration tests of every package use it.
package apptest
