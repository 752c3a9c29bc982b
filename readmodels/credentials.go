package readmodels

import (
	"context"
	"database/sql"
	"errors"
)

// Credentials is the read model of users' passkeys: a row per live
// credential (public data only).
var Credentials = Model{
	Name:   "credentials",
	Tables: []string{"credentials"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS credentials (
			id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, key_id TEXT NOT NULL, name TEXT NOT NULL,
			sign_count INTEGER NOT NULL, added_at INTEGER NOT NULL, used_at INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS credentials_user ON credentials(user_id)`,
		`CREATE INDEX IF NOT EXISTS credentials_key ON credentials(key_id)`,
	},
}

// Credential is a row of the credentials read model. KeyID is the
// authenticator's credential id, base64url.
type Credential struct {
	ID        int64
	UserID    int64
	KeyID     string
	Name      string
	SignCount uint32
	AddedAt   int64
	UsedAt    int64
}

// InsertCredential adds a credential row (a repeat is ignored).
func InsertCredential(ctx context.Context, tx Tx, c Credential) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO credentials(id, user_id, key_id, name, sign_count, added_at, used_at)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`, c.ID, c.UserID, c.KeyID, c.Name, c.SignCount, c.AddedAt, c.UsedAt)
	return err
}

// MarkCredentialUsed stores credential id's new counter and last use.
func MarkCredentialUsed(ctx context.Context, tx Tx, id int64, signCount uint32, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE credentials SET sign_count = ?, used_at = ? WHERE id = ?`, signCount, at, id)
	return err
}

// DeleteCredential removes credential id's row (a missing row is no error).
func DeleteCredential(ctx context.Context, tx Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE id = ?`, id)
	return err
}

const credentialCols = `id, user_id, key_id, name, sign_count, added_at, used_at`

func scanCredential(row rowScanner) (Credential, error) {
	var c Credential
	err := row.Scan(&c.ID, &c.UserID, &c.KeyID, &c.Name, &c.SignCount, &c.AddedAt, &c.UsedAt)
	return c, err
}

// CredentialsByUser lists user's credentials, oldest first.
func (db *DB) CredentialsByUser(ctx context.Context, userID int64) ([]Credential, error) {
	return queryAll(ctx, db.R, scanCredential, `SELECT `+credentialCols+` FROM credentials WHERE user_id = ? ORDER BY id`, userID)
}

// CredentialByKeyID finds a live credential by its base64url credential id.
func (db *DB) CredentialByKeyID(ctx context.Context, keyID string) (Credential, error) {
	c, err := scanCredential(db.R.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM credentials WHERE key_id = ?`, keyID))
	if errors.Is(err, sql.ErrNoRows) {
		return Credential{}, ErrNotFound
	}
	return c, err
}

// CredentialIDsOfUser implements commands.CredentialLookup: the ids of
// user's credentials, oldest first.
func (db *DB) CredentialIDsOfUser(ctx context.Context, userID int64) ([]int64, error) {
	creds, err := db.CredentialsByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(creds))
	for i, c := range creds {
		ids[i] = c.ID
	}
	return ids, nil
}
