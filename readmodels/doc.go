// Package readmodels holds the SQLite schema and the queries of every read
// model, and the projection checkpoints kept beside them. Each read model
// is a Model with a lasting name; its rows and its checkpoint are written
// in one transaction by the projectors in package projections, so a
// restart resumes exactly where it stopped.
//
// Write functions take a Tx: a database/sql transaction on the live path
// (SQLTx), or, for a bulk replay, a transaction on the writer's driver
// connection (DB.Bulk), which skips database/sql's per-statement work.
// Read methods use the read pool. This
// package imports only the standard library and modernc.org/sqlite.
package readmodels
