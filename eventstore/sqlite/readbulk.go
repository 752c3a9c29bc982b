package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/uivmm/uivmm/eventstore"
)

// bulkPage is the ReadAll limit from which pages are read at the driver
// level (readAllBulk): a rebuild reads millions of rows in pages of
// thousands, and database/sql's per-row work (locking, Scan's conversions
// and copies) was about a fifth of the reading. Smaller pages (followers
// poll with 512 and mostly get a few events) keep the prepared statement,
// which the bulk path would prepare again on every call.
const bulkPage = 1024

const readAllSQL = "SELECT " + eventColumns + " FROM events WHERE position > ? ORDER BY position LIMIT ?"

// readAllBulk is ReadAll on one reader connection's driver: one
// statement, so one snapshot, as with the prepared statement.
func (s *Store) readAllBulk(ctx context.Context, after int64, limit int) ([]eventstore.RecordedEvent, error) {
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var evs []eventstore.RecordedEvent
	err = conn.Raw(func(dc any) error {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("reading log: a %T connection cannot prepare", dc)
		}
		st, err := prep.PrepareContext(ctx, readAllSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		q, ok := st.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("reading log: a %T statement cannot query", st)
		}
		rows, err := q.QueryContext(ctx, []driver.NamedValue{{Ordinal: 1, Value: after}, {Ordinal: 2, Value: int64(limit)}})
		if err != nil {
			return err
		}
		defer rows.Close()
		evs = make([]eventstore.RecordedEvent, 0, min(limit, 4096))
		vals := make([]driver.Value, 8)
		for {
			if err := rows.Next(vals); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			ev, err := eventFromValues(vals)
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
	})
	return evs, err
}

// eventFromValues builds an event from one row of eventColumns as the
// driver returns it (TEXT as string, INTEGER as int64).
func eventFromValues(v []driver.Value) (eventstore.RecordedEvent, error) {
	var ev eventstore.RecordedEvent
	pos, ok1 := v[0].(int64)
	rev, ok2 := v[2].(int64)
	nano, ok3 := v[7].(int64)
	var ok4, ok5, ok6 bool
	ev.Stream, ok4 = v[1].(string)
	ev.ID, ok5 = v[3].(string)
	ev.Type, ok6 = v[4].(string)
	data, ok7 := textBytes(v[5])
	meta, ok8 := textBytes(v[6])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || !ok8 {
		return ev, fmt.Errorf("scanning event: unexpected column types %T %T %T %T %T %T %T %T",
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
	}
	if err := decodeMetadata(meta, &ev.Metadata); err != nil {
		return ev, fmt.Errorf("decoding metadata of event at position %d: %w", pos, err)
	}
	ev.Position, ev.Revision = uint64(pos), uint64(rev)
	ev.Data = append([]byte(nil), data...) // the caller's own copy
	ev.Time = time.Unix(0, nano).UTC()
	return ev, nil
}

// textBytes views a TEXT value as bytes without copying; the view is
// only read (metadata is decoded at once, data copied).
func textBytes(v driver.Value) ([]byte, bool) {
	switch t := v.(type) {
	case string:
		return unsafe.Slice(unsafe.StringData(t), len(t)), true
	case []byte:
		return t, true
	}
	return nil, false
}
