package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// schemaVersion is stored in PRAGMA user_version.
const schemaVersion = 1

// schema is the whole log: one row per event, position is the global
// position, UNIQUE(stream, revision) keeps streams gap-free and UNIQUE
// event_id makes retries detectable. data and metadata are JSON text; time
// is Unix nanoseconds (UTC).
const schema = `
CREATE TABLE IF NOT EXISTS events (
	position INTEGER PRIMARY KEY AUTOINCREMENT,
	stream   TEXT    NOT NULL,
	revision INTEGER NOT NULL,
	event_id TEXT    NOT NULL UNIQUE,
	type     TEXT    NOT NULL,
	data     TEXT    NOT NULL,
	metadata TEXT    NOT NULL,
	time     INTEGER NOT NULL,
	UNIQUE (stream, revision)
) STRICT`

// dsn builds the driver's data source name for path. The writer connection
// turns on WAL and synchronous=FULL; readers are query-only.
func dsn(path string, cfg config, writer bool) (string, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?") || strings.HasPrefix(path, "file:") {
		return "", fmt.Errorf("sqlite path %q must name a file and hold no '?'", path)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cfg.busyTimeout.Milliseconds()))
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode(), nil
}

// closeStmts closes the statements that were prepared.
func closeStmts(stmts ...*sql.Stmt) error {
	var errs []error
	for _, st := range stmts {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// migrate creates the schema if the file has none and refuses a file written
// by a newer schema.
func migrate(ctx context.Context, conn *sql.Conn) (err error) {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("reading journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	var syncMode int
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil {
		return fmt.Errorf("reading synchronous: %w", err)
	}
	if syncMode != 2 {
		return fmt.Errorf("synchronous is %d, want 2 (full)", syncMode)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return classify(err, "starting migration")
	}
	defer func() {
		if err != nil {
			_, rbErr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			err = errors.Join(err, rbErr)
		}
	}()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	switch {
	case version > schemaVersion:
		return fmt.Errorf("schema version %d is newer than this build's %d", version, schemaVersion)
	case version < schemaVersion:
		if _, err := conn.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("creating schema: %w", err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
			return fmt.Errorf("setting schema version: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return classify(err, "committing migration")
	}
	return nil
}

// writeStmts are the writer connection's prepared statements.
type writeStmts struct {
	begin, commit, rollback         *sql.Stmt
	savepoint, release, rollbackTo  *sql.Stmt
	streamHead, insert, lookupEvent *sql.Stmt
}

func (st *writeStmts) close() error {
	return closeStmts(st.begin, st.commit, st.rollback, st.savepoint, st.release,
		st.rollbackTo, st.streamHead, st.insert, st.lookupEvent)
}

func prepareWrite(ctx context.Context, conn *sql.Conn) (*writeStmts, error) {
	var st writeStmts
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.begin, "BEGIN IMMEDIATE"},
		{&st.commit, "COMMIT"},
		{&st.rollback, "ROLLBACK"},
		{&st.savepoint, "SAVEPOINT append_request"},
		{&st.release, "RELEASE append_request"},
		{&st.rollbackTo, "ROLLBACK TO append_request"},
		{&st.streamHead, "SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1"},
		{&st.insert, "INSERT INTO events (stream, revision, event_id, type, data, metadata, time) VALUES (?, ?, ?, ?, ?, ?, ?)"},
		{&st.lookupEvent, "SELECT stream, revision, position FROM events WHERE event_id = ?"},
	} {
		stmt, err := conn.PrepareContext(ctx, p.query)
		if err != nil {
			return &st, fmt.Errorf("preparing %q: %w", p.query, err)
		}
		*p.dst = stmt
	}
	return &st, nil
}

// readStmts are the reader pool's prepared statements.
type readStmts struct {
	stream, all, head *sql.Stmt
}

const eventColumns = "position, stream, revision, event_id, type, data, metadata, time"

func (st *readStmts) close() error { return closeStmts(st.stream, st.all, st.head) }

func prepareRead(ctx context.Context, db *sql.DB) (*readStmts, error) {
	var st readStmts
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.stream, "SELECT " + eventColumns + " FROM events WHERE stream = ? AND revision >= ? ORDER BY revision"},
		{&st.all, readAllSQL},
		{&st.head, "SELECT COALESCE(MAX(position), 0) FROM events"},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return &st, fmt.Errorf("preparing %q: %w", p.query, err)
		}
		*p.dst = stmt
	}
	return &st, nil
}
