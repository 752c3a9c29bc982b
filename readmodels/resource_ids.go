package readmodels

import (
	"context"
	"fmt"
	"sync"
)

// ResourceIDsModel is the table of numeric ids given to things that live
// on LXD hosts (profiles, certificates, pools, volumes, networks, images,
// instances, image servers), which the API must show with positive,
// stable, per-type unique ids. It is not built from events: an id is
// allocated the first time a name is seen and never reused, so it is
// ensured at start-up and never dropped by a rebuild (no projector owns
// it).
var ResourceIDsModel = Model{
	Name: "lxd_resource_ids",
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS lxd_resource_ids (
			id INTEGER PRIMARY KEY AUTOINCREMENT, server_id INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
			UNIQUE(server_id, kind, name))`,
	},
}

// ResourceIDs hands out those ids, with an in-memory cache in front of
// the table. Safe for concurrent use.
type ResourceIDs struct {
	db    *DB
	mu    sync.RWMutex
	cache map[resourceKey]int64
}

type resourceKey struct {
	server int64
	kind   string
	name   string
}

// NewResourceIDs returns the allocator over db; call Ensure once first.
func NewResourceIDs(db *DB) *ResourceIDs {
	return &ResourceIDs{db: db, cache: map[resourceKey]int64{}}
}

// Ensure creates the table when it is missing.
func (r *ResourceIDs) Ensure(ctx context.Context) error { return r.db.Ensure(ctx, ResourceIDsModel) }

// IDs returns the id of each name of kind on serverID, allocating ids for
// names never seen before. The same (server, kind, name) always gets the
// same id; ids are unique across the whole table.
func (r *ResourceIDs) IDs(ctx context.Context, serverID int64, kind string, names []string) (map[string]int64, error) {
	out := make(map[string]int64, len(names))
	var missing []string
	r.mu.RLock()
	for _, n := range names {
		if id, ok := r.cache[resourceKey{serverID, kind, n}]; ok {
			out[n] = id
		} else {
			missing = append(missing, n)
		}
	}
	r.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	if err := r.allocate(ctx, serverID, kind, missing, out); err != nil {
		return nil, fmt.Errorf("allocating %s ids on server %d: %w", kind, serverID, err)
	}
	return out, nil
}

func (r *ResourceIDs) allocate(ctx context.Context, serverID int64, kind string, names []string, out map[string]int64) error {
	tx, err := r.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lxd_resource_ids(server_id, kind, name) VALUES(?,?,?)
			ON CONFLICT(server_id, kind, name) DO NOTHING`, serverID, kind, n); err != nil {
			return err
		}
	}
	got := make(map[string]int64, len(names))
	for _, n := range names {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM lxd_resource_ids WHERE server_id = ? AND kind = ? AND name = ?`,
			serverID, kind, n).Scan(&id); err != nil {
			return err
		}
		got[n] = id
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for n, id := range got {
		r.cache[resourceKey{serverID, kind, n}] = id
		out[n] = id
	}
	return nil
}
