package readmodels

import (
	"context"
)

// SSHKeys is the read model of users' public SSH keys.
var SSHKeys = Model{
	Name:   "sshkeys",
	Tables: []string{"ssh_keys"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS ssh_keys (
			id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, name TEXT NOT NULL, algorithm TEXT NOT NULL,
			public TEXT NOT NULL, fingerprint TEXT NOT NULL, added_at INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS ssh_keys_user ON ssh_keys(user_id)`,
	},
}

// SSHKey is a row of the ssh_keys read model.
type SSHKey struct {
	ID          int64
	UserID      int64
	Name        string
	Algorithm   string
	Public      string
	Fingerprint string
	AddedAt     int64
}

// InsertSSHKey adds a key row (a repeat is ignored).
func InsertSSHKey(ctx context.Context, tx Tx, k SSHKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ssh_keys(id, user_id, name, algorithm, public, fingerprint, added_at)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`, k.ID, k.UserID, k.Name, k.Algorithm, k.Public, k.Fingerprint, k.AddedAt)
	return err
}

// DeleteSSHKey removes key id's row (a missing row is no error).
func DeleteSSHKey(ctx context.Context, tx Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM ssh_keys WHERE id = ?`, id)
	return err
}

// SSHKeysByUser lists user's keys, oldest first.
func (db *DB) SSHKeysByUser(ctx context.Context, userID int64) ([]SSHKey, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT id, user_id, name, algorithm, public, fingerprint, added_at
		FROM ssh_keys WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SSHKey
	for rows.Next() {
		var k SSHKey
		if err := rows.Scan(&k.ID, &k.UserID, &k.Name, &k.Algorithm, &k.Public, &k.Fingerprint, &k.AddedAt); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// SSHKeysOfUser returns user's public keys as authorized_keys lines,
// oldest first (what cloud-init's ssh_authorized_keys takes).
func (db *DB) SSHKeysOfUser(ctx context.Context, userID int64) ([]string, error) {
	keys, err := db.SSHKeysByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Public
	}
	return out, nil
}
