package readmodels

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"time"
)

// Bulk runs fn in one write transaction on the writer's driver connection,
// below database/sql: a replay applies millions of small statements, and
// database/sql's per-statement work (locking, argument conversion, result
// wrapping) was about a sixth of the applier's time. fn must use only the
// Tx it is given, from its own goroutine, and must not keep it. The
// transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) Bulk(ctx context.Context, fn func(tx Tx) error) error {
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*cachedConn)
		if !ok {
			return fmt.Errorf("readmodels: bulk transaction on a %T connection", dc)
		}
		dtx, err := c.BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return err
		}
		if err := fn(&driverTx{ctx: ctx, c: c}); err != nil {
			_ = dtx.Rollback()
			return err
		}
		return dtx.Commit()
	})
}

// driverTx is Tx on a driver connection inside a transaction.
type driverTx struct {
	ctx  context.Context
	c    *cachedConn
	args []driver.NamedValue // reused: the driver binds them before returning
}

func (t *driverTx) named(args []any) ([]driver.NamedValue, error) {
	nv := t.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	t.args = nv
	return nv, nil
}

// driverValue converts an argument as database/sql does by default.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, float64, bool, []byte, string, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

func (t *driverTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	nv, err := t.named(args)
	if err != nil {
		return nil, err
	}
	return t.c.ExecContext(ctx, query, nv)
}

func (t *driverTx) QueryContext(ctx context.Context, query string, args ...any) (Rows, error) {
	nv, err := t.named(args)
	if err != nil {
		return nil, err
	}
	rows, err := t.c.QueryContext(ctx, query, nv)
	if err != nil {
		return nil, err
	}
	return &driverRows{rows: rows, vals: make([]driver.Value, len(rows.Columns()))}, nil
}

func (t *driverTx) QueryRowContext(ctx context.Context, query string, args ...any) Row {
	rows, err := t.QueryContext(ctx, query, args...)
	if err != nil {
		return &driverRow{err: err}
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return &driverRow{err: err}
		}
		return &driverRow{err: sql.ErrNoRows}
	}
	r := rows.(*driverRows)
	vals := make([]driver.Value, len(r.vals))
	for i, v := range r.vals {
		if b, ok := v.([]byte); ok { // the driver may reuse its buffer
			v = append([]byte(nil), b...)
		}
		vals[i] = v
	}
	return &driverRow{vals: vals}
}

type driverRows struct {
	rows   driver.Rows
	vals   []driver.Value
	err    error
	closed bool
}

func (r *driverRows) Next() bool {
	if r.closed || r.err != nil {
		return false
	}
	if err := r.rows.Next(r.vals); err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = err
		}
		_ = r.Close()
		return false
	}
	return true
}

func (r *driverRows) Scan(dest ...any) error { return scanValues(r.vals, dest) }
func (r *driverRows) Err() error             { return r.err }

func (r *driverRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.rows.Close()
}

type driverRow struct {
	vals []driver.Value
	err  error
}

func (r *driverRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return scanValues(r.vals, dest)
}

func scanValues(vals []driver.Value, dest []any) error {
	if len(dest) != len(vals) {
		return fmt.Errorf("readmodels: %d destinations for %d columns", len(dest), len(vals))
	}
	for i, d := range dest {
		if err := assign(d, vals[i]); err != nil {
			return fmt.Errorf("readmodels: column %d: %w", i, err)
		}
	}
	return nil
}

// assign stores a driver value (int64, float64, bool, []byte, string,
// time.Time or nil) in dest, as database/sql's Scan does for the
// destinations read models use: pointers to strings, byte slices,
// integers, floats and booleans (named types included), sql.Scanner and
// *any.
func assign(dest, src any) error {
	switch d := dest.(type) {
	case sql.Scanner:
		return d.Scan(src)
	case *any:
		if b, ok := src.([]byte); ok {
			src = append([]byte(nil), b...)
		}
		*d = src
		return nil
	case *[]byte:
		switch s := src.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = append([]byte(nil), s...)
		case string:
			*d = []byte(s)
		default:
			return fmt.Errorf("cannot scan %T into *[]byte", src)
		}
		return nil
	}
	if src == nil {
		return fmt.Errorf("cannot scan NULL into %T", dest)
	}
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("destination %T is not a non-nil pointer", dest)
	}
	ev := dv.Elem()
	switch ev.Kind() {
	case reflect.String:
		switch s := src.(type) {
		case string:
			ev.SetString(s)
		case []byte:
			ev.SetString(string(s))
		case int64:
			ev.SetString(strconv.FormatInt(s, 10))
		case float64:
			ev.SetString(strconv.FormatFloat(s, 'g', -1, 64))
		case bool:
			ev.SetString(strconv.FormatBool(s))
		case time.Time:
			ev.SetString(s.Format(time.RFC3339Nano))
		default:
			return fmt.Errorf("cannot scan %T into %T", src, dest)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := asInt(src)
		if err != nil {
			return err
		}
		if ev.OverflowInt(n) {
			return fmt.Errorf("%d overflows %T", n, dest)
		}
		ev.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := asInt(src)
		if err != nil {
			return err
		}
		if n < 0 || ev.OverflowUint(uint64(n)) {
			return fmt.Errorf("%d overflows %T", n, dest)
		}
		ev.SetUint(uint64(n))
	case reflect.Bool:
		switch s := src.(type) {
		case bool:
			ev.SetBool(s)
		case int64:
			ev.SetBool(s != 0)
		default:
			b, err := strconv.ParseBool(fmt.Sprint(s))
			if err != nil {
				return fmt.Errorf("cannot scan %T into %T: %w", src, dest, err)
			}
			ev.SetBool(b)
		}
	case reflect.Float32, reflect.Float64:
		switch s := src.(type) {
		case float64:
			ev.SetFloat(s)
		case int64:
			ev.SetFloat(float64(s))
		default:
			f, err := strconv.ParseFloat(fmt.Sprint(s), 64)
			if err != nil {
				return fmt.Errorf("cannot scan %T into %T: %w", src, dest, err)
			}
			ev.SetFloat(f)
		}
	default:
		return fmt.Errorf("unsupported destination %T", dest)
	}
	return nil
}

func asInt(src any) (int64, error) {
	switch s := src.(type) {
	case int64:
		return s, nil
	case bool:
		if s {
			return 1, nil
		}
		return 0, nil
	case float64:
		if s != float64(int64(s)) {
			return 0, fmt.Errorf("%v is not an integer", s)
		}
		return int64(s), nil
	case string:
		return strconv.ParseInt(s, 10, 64)
	case []byte:
		return strconv.ParseInt(string(s), 10, 64)
	}
	return 0, fmt.Errorf("cannot scan %T into an integer", src)
}
