package readmodels

import (
	"context"
	"database/sql"
	"fmt"
)

// SimpleStreams is the read model of the built-in simplestreams server:
// products, their live (published, not pruned) versions, the pending
// files of incomplete versions, and the position of the last product
// event applied (ss_state), which keys the cache of rendered JSON.
var SimpleStreams = Model{
	Name:   "simplestreams",
	Tables: []string{"ss_products", "ss_versions", "ss_pending", "ss_state"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS ss_products (
			id INTEGER PRIMARY KEY, product_id TEXT NOT NULL, os TEXT NOT NULL, release TEXT NOT NULL,
			arch TEXT NOT NULL, variant TEXT NOT NULL, aliases TEXT NOT NULL, release_title TEXT NOT NULL,
			added_at INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS ss_versions (
			product INTEGER NOT NULL, serial TEXT NOT NULL, version_id INTEGER NOT NULL,
			metadata_sha256 TEXT NOT NULL, metadata_size INTEGER NOT NULL, metadata_role TEXT NOT NULL,
			rootfs_sha256 TEXT NOT NULL, rootfs_size INTEGER NOT NULL, rootfs_role TEXT NOT NULL,
			fingerprint TEXT NOT NULL, architecture TEXT NOT NULL, published_at INTEGER NOT NULL,
			PRIMARY KEY (product, serial))`,
		`CREATE INDEX IF NOT EXISTS ss_versions_metadata ON ss_versions(metadata_sha256)`,
		`CREATE INDEX IF NOT EXISTS ss_versions_rootfs ON ss_versions(rootfs_sha256)`,
		`CREATE TABLE IF NOT EXISTS ss_pending (
			product INTEGER NOT NULL, serial TEXT NOT NULL, kind TEXT NOT NULL,
			sha256 TEXT NOT NULL, size INTEGER NOT NULL, role TEXT NOT NULL, received_at INTEGER NOT NULL,
			PRIMARY KEY (product, serial, kind))`,
		`CREATE TABLE IF NOT EXISTS ss_state (k INTEGER PRIMARY KEY CHECK (k = 1), position INTEGER NOT NULL)`,
	},
}

// SSProduct is a row of ss_products.
type SSProduct struct {
	ID           int64
	ProductID    string // "os:release:arch:variant"
	OS           string
	Release      string
	Arch         string
	Variant      string
	Aliases      string
	ReleaseTitle string
	AddedAt      int64
}

// SSFile is an image file: content address, size and role.
type SSFile struct {
	SHA256 string
	Size   int64
	Role   string
}

// SSVersion is a row of ss_versions: a live version of Product.
type SSVersion struct {
	Product      int64
	Serial       string
	VersionID    int64
	Metadata     SSFile
	Rootfs       SSFile
	Fingerprint  string
	Architecture string
	PublishedAt  int64
}

// SSPending is one pending file of an incomplete version.
type SSPending struct {
	Product    int64
	Serial     string
	Kind       string // "metadata" or "rootfs"
	File       SSFile
	ReceivedAt int64
}

// InsertSSProduct adds a product row (a repeat is ignored).
func InsertSSProduct(ctx context.Context, tx Tx, p SSProduct) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ss_products(id, product_id, os, release, arch, variant, aliases, release_title, added_at)
		VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`,
		p.ID, p.ProductID, p.OS, p.Release, p.Arch, p.Variant, p.Aliases, p.ReleaseTitle, p.AddedAt)
	return err
}

// UpsertSSPending records (or replaces) a pending file.
func UpsertSSPending(ctx context.Context, tx Tx, p SSPending) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ss_pending(product, serial, kind, sha256, size, role, received_at)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(product, serial, kind) DO UPDATE SET
		sha256 = excluded.sha256, size = excluded.size, role = excluded.role, received_at = excluded.received_at`,
		p.Product, p.Serial, p.Kind, p.File.SHA256, p.File.Size, p.File.Role, p.ReceivedAt)
	return err
}

// DeleteSSPending drops the pending file of kind with digest sha, if it
// is still the pending one.
func DeleteSSPending(ctx context.Context, tx Tx, product int64, serial, kind, sha string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM ss_pending WHERE product = ? AND serial = ? AND kind = ? AND sha256 = ?`,
		product, serial, kind, sha)
	return err
}

// InsertSSVersion adds a live version and drops the serial's pending
// files (a repeat is ignored).
func InsertSSVersion(ctx context.Context, tx Tx, v SSVersion) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO ss_versions(product, serial, version_id, metadata_sha256, metadata_size,
		metadata_role, rootfs_sha256, rootfs_size, rootfs_role, fingerprint, architecture, published_at)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(product, serial) DO NOTHING`,
		v.Product, v.Serial, v.VersionID, v.Metadata.SHA256, v.Metadata.Size, v.Metadata.Role,
		v.Rootfs.SHA256, v.Rootfs.Size, v.Rootfs.Role, v.Fingerprint, v.Architecture, v.PublishedAt); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM ss_pending WHERE product = ? AND serial = ?`, v.Product, v.Serial)
	return err
}

// DeleteSSVersion removes a pruned version (a missing row is no error).
func DeleteSSVersion(ctx context.Context, tx Tx, product int64, serial string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM ss_versions WHERE product = ? AND serial = ?`, product, serial)
	return err
}

// SetSSState notes the position of the last product event applied.
func SetSSState(ctx context.Context, tx Tx, pos uint64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ss_state(k, position) VALUES(1, ?)
		ON CONFLICT(k) DO UPDATE SET position = excluded.position`, pos)
	return err
}

// SSCatalog is a consistent snapshot of products and live versions.
type SSCatalog struct {
	Position uint64 // ss_state: changes with every product event
	Products []SSProduct
	Versions []SSVersion // ordered by product, then serial
}

// SSCatalogPosition returns ss_state's position (0 before any product
// event); it changes whenever the catalog may have.
func (db *DB) SSCatalogPosition(ctx context.Context) (uint64, error) {
	var pos uint64
	err := db.R.QueryRowContext(ctx, `SELECT position FROM ss_state WHERE k = 1`).Scan(&pos)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return pos, err
}

// SSCatalogSnapshot reads products, live versions and the position in one
// read transaction.
func (db *DB) SSCatalogSnapshot(ctx context.Context) (SSCatalog, error) {
	tx, err := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return SSCatalog{}, err
	}
	defer tx.Rollback()
	var c SSCatalog
	if err := tx.QueryRowContext(ctx, `SELECT position FROM ss_state WHERE k = 1`).Scan(&c.Position); err != nil && err != sql.ErrNoRows {
		return c, err
	}
	if c.Products, err = ssProducts(ctx, tx, ``); err != nil {
		return c, err
	}
	c.Versions, err = ssVersions(ctx, tx, ``)
	return c, err
}

// SSProducts lists every product, by id.
func (db *DB) SSProducts(ctx context.Context) ([]SSProduct, error) { return ssProducts(ctx, db.R, ``) }

// SSProductByKey finds a product by its product id (nil when none).
func (db *DB) SSProductByKey(ctx context.Context, key string) (*SSProduct, error) {
	ps, err := ssProducts(ctx, db.R, ` WHERE product_id = ?`, key)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return &ps[0], nil
}

func ssProducts(ctx context.Context, q querier, where string, args ...any) ([]SSProduct, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, product_id, os, release, arch, variant, aliases, release_title, added_at
		FROM ss_products`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SSProduct
	for rows.Next() {
		var p SSProduct
		if err := rows.Scan(&p.ID, &p.ProductID, &p.OS, &p.Release, &p.Arch, &p.Variant, &p.Aliases, &p.ReleaseTitle, &p.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SSVersions lists the live versions, by product then serial.
func (db *DB) SSVersions(ctx context.Context) ([]SSVersion, error) { return ssVersions(ctx, db.R, ``) }

// SSVersion returns product's live version serial (nil when none).
func (db *DB) SSVersion(ctx context.Context, product int64, serial string) (*SSVersion, error) {
	vs, err := ssVersions(ctx, db.R, ` WHERE product = ? AND serial = ?`, product, serial)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}

func ssVersions(ctx context.Context, q querier, where string, args ...any) ([]SSVersion, error) {
	rows, err := q.QueryContext(ctx, `SELECT product, serial, version_id, metadata_sha256, metadata_size, metadata_role,
		rootfs_sha256, rootfs_size, rootfs_role, fingerprint, architecture, published_at
		FROM ss_versions`+where+` ORDER BY product, serial`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SSVersion
	for rows.Next() {
		var v SSVersion
		if err := rows.Scan(&v.Product, &v.Serial, &v.VersionID, &v.Metadata.SHA256, &v.Metadata.Size, &v.Metadata.Role,
			&v.Rootfs.SHA256, &v.Rootfs.Size, &v.Rootfs.Role, &v.Fingerprint, &v.Architecture, &v.PublishedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SSPendingFiles lists every pending file, by product, serial and kind.
func (db *DB) SSPendingFiles(ctx context.Context) ([]SSPending, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT product, serial, kind, sha256, size, role, received_at
		FROM ss_pending ORDER BY product, serial, kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SSPending
	for rows.Next() {
		var p SSPending
		if err := rows.Scan(&p.Product, &p.Serial, &p.Kind, &p.File.SHA256, &p.File.Size, &p.File.Role, &p.ReceivedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SSBlobPublished reports whether a live version lists the blob sha.
func (db *DB) SSBlobPublished(ctx context.Context, sha string) (bool, error) {
	var n int
	err := db.R.QueryRowContext(ctx, `SELECT
		EXISTS(SELECT 1 FROM ss_versions WHERE metadata_sha256 = ?) OR
		EXISTS(SELECT 1 FROM ss_versions WHERE rootfs_sha256 = ?)`, sha, sha).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("looking up blob %s: %w", sha, err)
	}
	return n != 0, nil
}

// SSBlobReferenced reports whether a live version or a pending file
// refers to the blob sha (it must then stay on disk).
func (db *DB) SSBlobReferenced(ctx context.Context, sha string) (bool, error) {
	published, err := db.SSBlobPublished(ctx, sha)
	if err != nil || published {
		return published, err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM ss_pending WHERE sha256 = ?)`, sha).Scan(&n); err != nil {
		return false, fmt.Errorf("looking up blob %s: %w", sha, err)
	}
	return n != 0, nil
}

// SSReferencedBlobs returns the digest of every blob a live version or a
// pending file refers to.
func (db *DB) SSReferencedBlobs(ctx context.Context) (map[string]bool, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT metadata_sha256 FROM ss_versions UNION
		SELECT rootfs_sha256 FROM ss_versions UNION SELECT sha256 FROM ss_pending`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, err
		}
		out[sha] = true
	}
	return out, rows.Err()
}
