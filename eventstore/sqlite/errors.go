package sqlite

import (
	"errors"
	"fmt"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/uivmm/uivmm/eventstore"
)

// errDuplicateID reports an append whose event IDs are stored at another
// place; it is not an idempotent retry.
var errDuplicateID = errors.New("event id already stored at another place")

// sqliteCode returns the primary SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// isConstraint reports whether err is a constraint violation.
func isConstraint(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT }

// classify wraps err with what for the caller, marking lock and I/O
// failures as eventstore.ErrUnavailable.
func classify(err error, what string) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%s: %w: %w", what, eventstore.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
