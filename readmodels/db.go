package readmodels

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // the embedded SQLite driver
)

// Model describes one read model: its lasting Name (its checkpoint key),
// the Tables it owns (dropped on rebuild) and the Schema that creates them.
type Model struct {
	Name   string
	Tables []string
	Schema []string
}

// DB is the read-model database: one write connection (SQLite has one
// writer) and a pool of readers. Safe for concurrent use.
type DB struct {
	W    *sql.DB
	R    *sql.DB
	path string
}

const pragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(OFF)"

// Open opens (creating) the read-model database at path. synchronous=NORMAL
// is safe here: a lost tail of transactions is replayed from the event log
// because each checkpoint commits with its rows.
func Open(ctx context.Context, path string) (*DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	registerCachedDriver()
	// The writer gets a 64 MiB page cache: projections insert into large
	// tables, and a rebuild misses the default 2 MiB cache on most pages.
	w, err := sql.Open(cachedDriverName, dsn+"&_pragma=cache_size(-65536)")
	if err != nil {
		return nil, fmt.Errorf("opening read models: %w", err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening read models: %w", err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	db := &DB{W: w, R: r, path: path}
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating checkpoints: %w", err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	errR := db.R.Close()
	if err := db.W.Close(); err != nil {
		return err
	}
	return errR
}

// Ensure creates the models' tables if they are missing.
func (db *DB) Ensure(ctx context.Context, models ...Model) error {
	for _, m := range models {
		for _, stmt := range m.Schema {
			if _, err := db.W.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("schema of %s: %w", m.Name, err)
			}
		}
	}
	return nil
}

// isIndex reports whether a schema statement creates an index.
func isIndex(stmt string) bool {
	s := strings.ToUpper(strings.TrimSpace(stmt))
	return strings.HasPrefix(s, "CREATE INDEX") || strings.HasPrefix(s, "CREATE UNIQUE INDEX")
}

// ResetWithoutIndexes is Reset, leaving m's secondary indexes out so a
// bulk load is faster; CreateIndexes adds them afterwards.
func (db *DB) ResetWithoutIndexes(ctx context.Context, m Model) error {
	var tables []string
	for _, stmt := range m.Schema {
		if !isIndex(stmt) {
			tables = append(tables, stmt)
		}
	}
	m.Schema = tables
	return db.Reset(ctx, m)
}

// CreateIndexes creates m's secondary indexes (idempotent).
func (db *DB) CreateIndexes(ctx context.Context, m Model) error {
	for _, stmt := range m.Schema {
		if isIndex(stmt) {
			if _, err := db.W.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("index of %s: %w", m.Name, err)
			}
		}
	}
	return nil
}

// Reset drops m's tables and checkpoint and creates them again, empty.
func (db *DB) Reset(ctx context.Context, m Model) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range m.Tables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
			return fmt.Errorf("dropping %s: %w", t, err)
		}
	}
	for _, stmt := range m.Schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("schema of %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM checkpoints WHERE name = ?`, m.Name); err != nil {
		return err
	}
	return tx.Commit()
}

// Checkpoint returns model name's checkpoint (0 when none) within tx.
func Checkpoint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (uint64, error) {
	var pos uint64
	err := q.QueryRowContext(ctx, `SELECT position FROM checkpoints WHERE name = ?`, name).Scan(&pos)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return pos, err
}

// SetCheckpoint stores model name's checkpoint within tx.
func SetCheckpoint(ctx context.Context, tx Tx, name string, pos uint64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO checkpoints(name, position) VALUES(?, ?)
		ON CONFLICT(name) DO UPDATE SET position = excluded.position`, name, pos)
	return err
}

// HashTables returns a sha256 over every row of tables, in primary-key
// order, so two databases built differently can be compared.
func (db *DB) HashTables(ctx context.Context, tables []string) (string, error) {
	h := sha256.New()
	for _, t := range tables {
		rows, err := db.R.QueryContext(ctx, `SELECT * FROM `+t+` ORDER BY 1, 2`)
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "table %s %v\n", t, cols)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(h, "%#v\n", vals)
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
