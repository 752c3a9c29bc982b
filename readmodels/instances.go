package readmodels

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
)

// Instances is the read model of the instances on managed servers: a row
// per instance uivmm made or saw appear, until it is deleted or vanishes.
var Instances = Model{
	Name:   "instances",
	Tables: []string{"instances", "instance_versions"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS instances (
			id INTEGER PRIMARY KEY, server_id INTEGER NOT NULL, name TEXT NOT NULL, user_id INTEGER NOT NULL,
			type TEXT NOT NULL, arch TEXT NOT NULL, status TEXT NOT NULL, lxd_status TEXT NOT NULL,
			in_lxd INTEGER NOT NULL, creating INTEGER NOT NULL, pending INTEGER NOT NULL,
			image TEXT NOT NULL, image_os TEXT NOT NULL, image_version TEXT NOT NULL,
			memory TEXT NOT NULL, cpu TEXT NOT NULL, profiles TEXT NOT NULL, devices TEXT NOT NULL,
			request_id TEXT NOT NULL, reason TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS instances_server_name ON instances(server_id, name)`,
		`CREATE TABLE IF NOT EXISTS instance_versions (server_id INTEGER PRIMARY KEY, version INTEGER NOT NULL)`,
	},
}

// BumpInstances notes that serverID's instances changed with the event
// at position pos; see InstanceListVersion.
func BumpInstances(ctx context.Context, tx Tx, serverID int64, pos uint64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO instance_versions(server_id, version) VALUES(?, ?)
		ON CONFLICT(server_id) DO UPDATE SET version = MAX(version, excluded.version)`, serverID, pos)
	return err
}

// InstanceListVersion returns the position of the last event that
// changed serverID's instances (0 when none did): equal versions mean
// equal lists, so a caller may keep what it made of a list until the
// version moves.
func (db *DB) InstanceListVersion(ctx context.Context, serverID int64) (uint64, error) {
	var v uint64
	err := db.R.QueryRowContext(ctx, `SELECT version FROM instance_versions WHERE server_id = ?`, serverID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// Instance is a row of the instances read model.
//
// Status is what the API shows (lower case): "operation created" while a
// request is in flight, an in-progress word ("starting", "stopping",
// "freezing") while an action is, "error" after a failed request, else
// LXDStatus. LXDStatus is the status LXD last reported (or an outcome
// established); reconciliation compares LXD's list with it. InLXD says
// whether LXD has the instance as far as uivmm knows; Creating and
// Pending count the work without an outcome yet.
type Instance struct {
	ID           int64
	ServerID     int64
	Name         string
	UserID       int64
	Type         string
	Arch         string // LXD's name, e.g. "x86_64"
	Status       string
	LXDStatus    string
	InLXD        bool
	Creating     bool
	Pending      int
	Image        string
	ImageOS      string
	ImageVersion string
	Memory       string // "256MiB", "" = no limit
	CPU          string
	Profiles     []string
	Devices      map[string]map[string]string
	RequestID    string // of the last request
	Reason       string // of the last failure
	CreatedAt    int64
	UpdatedAt    int64
}

// UpsertInstance writes the whole row of in.
func UpsertInstance(ctx context.Context, tx Tx, in Instance) error {
	devices, err := json.Marshal(in.Devices)
	if err != nil {
		return err
	}
	if in.Devices == nil {
		devices = []byte("{}")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO instances(id, server_id, name, user_id, type, arch, status, lxd_status,
		in_lxd, creating, pending, image, image_os, image_version, memory, cpu, profiles, devices, request_id, reason,
		created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET server_id=excluded.server_id, name=excluded.name, user_id=excluded.user_id,
		type=excluded.type, arch=excluded.arch, status=excluded.status, lxd_status=excluded.lxd_status,
		in_lxd=excluded.in_lxd, creating=excluded.creating, pending=excluded.pending, image=excluded.image,
		image_os=excluded.image_os, image_version=excluded.image_version, memory=excluded.memory, cpu=excluded.cpu,
		profiles=excluded.profiles, devices=excluded.devices, request_id=excluded.request_id, reason=excluded.reason,
		created_at=excluded.created_at, updated_at=excluded.updated_at`,
		in.ID, in.ServerID, in.Name, in.UserID, in.Type, in.Arch, in.Status, in.LXDStatus, in.InLXD, in.Creating,
		in.Pending, in.Image, in.ImageOS, in.ImageVersion, in.Memory, in.CPU, strings.Join(in.Profiles, ","),
		string(devices), in.RequestID, in.Reason, in.CreatedAt, in.UpdatedAt)
	return err
}

// DeleteInstance removes instance id's row (a missing row is no error).
func DeleteInstance(ctx context.Context, tx Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, id)
	return err
}

const instanceCols = `id, server_id, name, user_id, type, arch, status, lxd_status, in_lxd, creating, pending,
	image, image_os, image_version, memory, cpu, profiles, devices, request_id, reason, created_at, updated_at`

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanInstance(row rowScanner) (Instance, error) {
	var (
		in                Instance
		profiles, devices string
	)
	err := row.Scan(&in.ID, &in.ServerID, &in.Name, &in.UserID, &in.Type, &in.Arch, &in.Status, &in.LXDStatus,
		&in.InLXD, &in.Creating, &in.Pending, &in.Image, &in.ImageOS, &in.ImageVersion, &in.Memory, &in.CPU,
		&profiles, &devices, &in.RequestID, &in.Reason, &in.CreatedAt, &in.UpdatedAt)
	if err != nil {
		return in, err
	}
	if profiles != "" {
		in.Profiles = strings.Split(profiles, ",")
	}
	if devices != "" && devices != "{}" && devices != "null" {
		if err := json.Unmarshal([]byte(devices), &in.Devices); err != nil {
			return in, err
		}
	}
	return in, nil
}

// InstanceByIDTx reads instance id within tx (projectors), or ErrNotFound.
func InstanceByIDTx(ctx context.Context, tx Tx, id int64) (Instance, error) {
	in, err := scanInstance(tx.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Instance{}, ErrNotFound
	}
	return in, err
}

func instanceRow(ctx context.Context, q queryRower, query string, args ...any) (Instance, error) {
	in, err := scanInstance(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Instance{}, ErrNotFound
	}
	return in, err
}

// InstanceByName returns the instance called name on serverID, or
// ErrNotFound.
func (db *DB) InstanceByName(ctx context.Context, serverID int64, name string) (Instance, error) {
	return instanceRow(ctx, db.R, `SELECT `+instanceCols+` FROM instances WHERE server_id = ? AND name = ?`, serverID, name)
}

// InstancesOnServer lists serverID's instances by name.
func (db *DB) InstancesOnServer(ctx context.Context, serverID int64) ([]Instance, error) {
	return db.instances(ctx, `SELECT `+instanceCols+` FROM instances WHERE server_id = ? ORDER BY name, id`, serverID)
}

// InstanceSummaries lists serverID's instances by name with only the
// fields of a list (no devices, profiles, image, request or reason), and
// the list's version (InstanceListVersion), read in one transaction.
func (db *DB) InstanceSummaries(ctx context.Context, serverID int64) ([]Instance, uint64, error) {
	tx, err := db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var version uint64
	err = tx.QueryRowContext(ctx, `SELECT version FROM instance_versions WHERE server_id = ?`, serverID).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, err
	}
	list, err := instanceSummaries(ctx, SQLTx(tx), serverID)
	return list, version, err
}

func instanceSummaries(ctx context.Context, tx Tx, serverID int64) ([]Instance, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, server_id, name, user_id, type, arch, status, image_os, image_version
		FROM instances WHERE server_id = ? ORDER BY name, id`, serverID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		if err := rows.Scan(&in.ID, &in.ServerID, &in.Name, &in.UserID, &in.Type, &in.Arch, &in.Status,
			&in.ImageOS, &in.ImageVersion); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// InstancesWithWork lists the instances with a request or an action
// still without an outcome, by id.
func (db *DB) InstancesWithWork(ctx context.Context) ([]Instance, error) {
	return db.instances(ctx, `SELECT `+instanceCols+` FROM instances WHERE creating = 1 OR pending > 0 ORDER BY id`)
}

func (db *DB) instances(ctx context.Context, query string, args ...any) ([]Instance, error) {
	return queryAll(ctx, db.R, scanInstance, query, args...)
}

// ServerOwner implements commands.ServerOwnerLookup over the servers
// read model: the owner of server id; ok is false when there is none.
func (db *DB) ServerOwner(ctx context.Context, serverID int64) (owner int64, ok bool, err error) {
	s, err := db.ServerByID(ctx, serverID)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return s.UserID, true, nil
}

// DeleteInstancesOfServer removes every row of serverID (the server was
// removed; the instances' histories stay in the log).
func DeleteInstancesOfServer(ctx context.Context, tx Tx, serverID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE server_id = ?`, serverID)
	return err
}
