package readmodels_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uivmm/uivmm/readmodels"
)

var things = readmodels.Model{
	Name:   "things",
	Tables: []string{"things"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS things_name ON things(name)`,
	},
}

func openDB(t *testing.T) *readmodels.DB {
	t.Helper()
	db, err := readmodels.Open(context.Background(), filepath.Join(t.TempDir(), "rm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ensure(context.Background(), things); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(t *testing.T, db *readmodels.DB, id int, name string, checkpoint uint64) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO things(id, name) VALUES(?, ?)`, id, name); err != nil {
		t.Fatal(err)
	}
	if err := readmodels.SetCheckpoint(ctx, readmodels.SQLTx(tx), things.Name, checkpoint); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointCommitsWithRows: the checkpoint moves only with its rows.
func TestCheckpointCommitsWithRows(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	insert(t, db, 1, "a", 7)
	tx, _ := db.W.BeginTx(ctx, nil)
	tx.ExecContext(ctx, `INSERT INTO things(id, name) VALUES(2, 'b')`)
	readmodels.SetCheckpoint(ctx, readmodels.SQLTx(tx), things.Name, 9)
	tx.Rollback()
	cp, err := readmodels.Checkpoint(ctx, db.R, things.Name)
	var n int
	db.R.QueryRow(`SELECT count(*) FROM things`).Scan(&n)
	if err != nil || cp != 7 || n != 1 {
		t.Fatalf("after rollback: checkpoint %d rows %d (%v)", cp, n, err)
	}
}

// TestHashTablesAndReset: equal rows hash equal however they were written;
// a reset (with indexes left out, then added) empties the model, and the
// cached INSERT statement still works on the new table.
func TestHashTablesAndReset(t *testing.T) {
	ctx := context.Background()
	a, b := openDB(t), openDB(t)
	insert(t, a, 1, "x", 1)
	insert(t, a, 2, "y", 2)
	insert(t, b, 2, "y", 5)
	insert(t, b, 1, "x", 6)
	ha, _ := a.HashTables(ctx, things.Tables)
	hb, _ := b.HashTables(ctx, things.Tables)
	if ha == "" || ha != hb {
		t.Fatalf("hashes %q %q", ha, hb)
	}
	insert(t, b, 3, "z", 7)
	if hb2, _ := b.HashTables(ctx, things.Tables); hb2 == hb {
		t.Fatal("hash ignores a new row")
	}
	if err := a.ResetWithoutIndexes(ctx, things); err != nil {
		t.Fatal(err)
	}
	if cp, _ := readmodels.Checkpoint(ctx, a.R, things.Name); cp != 0 {
		t.Fatalf("checkpoint after reset %d", cp)
	}
	insert(t, a, 4, "w", 1)
	if err := a.CreateIndexes(ctx, things); err != nil {
		t.Fatal(err)
	}
	var n, idx int
	a.R.QueryRow(`SELECT count(*) FROM things`).Scan(&n)
	a.R.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'things_name'`).Scan(&idx)
	if n != 1 || idx != 1 {
		t.Fatalf("after reset: %d rows, index %d", n, idx)
	}
}
