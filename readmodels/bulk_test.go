package readmodels_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/uivmm/uivmm/readmodels"
)

type label string

// The driver-level transaction behaves as the database/sql one: the same
// statements give the same rows and the same scans, and an error rolls
// everything back.
func TestBulkMatchesSQLTx(t *testing.T) {
	ctx := context.Background()
	fill := func(tx readmodels.Tx) error {
		for i, name := range []string{"a", "b", "c"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO things(id, name) VALUES(?, ?)`, i+1, label(name)); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE things SET name = name || ? WHERE id >= ?`, "!", int64(2))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 2 {
			t.Errorf("rows affected %d, want 2", n)
		}
		return nil
	}
	read := func(tx readmodels.Tx) (got []string) {
		var n int
		var s label
		if err := tx.QueryRowContext(ctx, `SELECT count(*), max(name) FROM things`).Scan(&n, &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, string(s))
		if err := tx.QueryRowContext(ctx, `SELECT name FROM things WHERE id = ?`, 99).Scan(&s); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("missing row: %v, want sql.ErrNoRows", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, name, id > 1, CAST(id AS REAL) / 2 FROM things ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id    uint64
				name  []byte
				big   bool
				half  float64
				other any
			)
			if err := rows.Scan(&id, &name, &big, &half); err != nil {
				t.Fatal(err)
			}
			other = half
			got = append(got, string(name), label(map[bool]string{true: "big", false: "small"}[big]).String(), formatAny(id, other))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return append(got, itoa(n))
	}

	viaSQL := openDB(t)
	tx, err := viaSQL.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(readmodels.SQLTx(tx)); err != nil {
		t.Fatal(err)
	}
	want := read(readmodels.SQLTx(tx))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	bulk := openDB(t)
	var got []string
	if err := bulk.Bulk(ctx, func(tx readmodels.Tx) error {
		if err := fill(tx); err != nil {
			return err
		}
		got = read(tx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) < 10 {
		t.Fatalf("bulk read %q, database/sql read %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d: bulk %q, database/sql %q", i, got[i], want[i])
		}
	}
	// Committed: a plain reader sees the rows.
	var n int
	if err := bulk.R.QueryRowContext(ctx, `SELECT count(*) FROM things`).Scan(&n); err != nil || n != 3 {
		t.Errorf("after commit: %d rows, %v; want 3", n, err)
	}

	// An error rolls the whole transaction back.
	boom := errors.New("boom")
	err = bulk.Bulk(ctx, func(tx readmodels.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM things`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Bulk returned %v, want boom", err)
	}
	if err := bulk.R.QueryRowContext(ctx, `SELECT count(*) FROM things`).Scan(&n); err != nil || n != 3 {
		t.Errorf("after rollback: %d rows, %v; want 3", n, err)
	}
	// A NULL cannot be scanned into a string, as with database/sql.
	err = bulk.Bulk(ctx, func(tx readmodels.Tx) error {
		var s string
		return tx.QueryRowContext(ctx, `SELECT NULL`).Scan(&s)
	})
	if err == nil {
		t.Error("scanning NULL into a string succeeded")
	}
}

func (l label) String() string { return string(l) }

func formatAny(id uint64, v any) string { return fmt.Sprintf("%d:%v", id, v) }

func itoa(n int) string { return strconv.Itoa(n) }
