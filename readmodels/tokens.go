package readmodels

import (
	"context"
	"database/sql"
	"errors"
)

// Tokens is the read model of bearer tokens (hashes only).
var Tokens = Model{
	Name:   "tokens",
	Tables: []string{"tokens"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS tokens (
			id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
			hash TEXT NOT NULL, start_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS tokens_hash ON tokens(hash)`,
		`CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id)`,
		`CREATE INDEX IF NOT EXISTS tokens_name ON tokens(name)`,
	},
}

// Token is a row of the tokens read model.
type Token struct {
	ID        int64
	UserID    int64
	Type      string
	Name      string
	Hash      string
	StartAt   int64
	ExpiresAt int64
	RevokedAt int64
}

// InsertToken adds a token row.
func InsertToken(ctx context.Context, tx Tx, t Token) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens(id, user_id, type, name, hash, start_at, expires_at, revoked_at)
		VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`, t.ID, t.UserID, t.Type, t.Name, t.Hash, t.StartAt, t.ExpiresAt, t.RevokedAt)
	return err
}

// RevokeToken marks token id revoked at at.
func RevokeToken(ctx context.Context, tx Tx, id, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, at, id)
	return err
}

const tokenCols = `id, user_id, type, name, hash, start_at, expires_at, revoked_at`

func scanToken(row rowScanner) (Token, error) {
	var t Token
	err := row.Scan(&t.ID, &t.UserID, &t.Type, &t.Name, &t.Hash, &t.StartAt, &t.ExpiresAt, &t.RevokedAt)
	return t, err
}

// TokenByHash finds a token by the hash of its secret.
func (db *DB) TokenByHash(ctx context.Context, hash string) (Token, error) {
	t, err := scanToken(db.R.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	return t, err
}

// TokenIDByHash implements commands.UserLookup.
func (db *DB) TokenIDByHash(ctx context.Context, hash string) (int64, error) {
	t, err := db.TokenByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return t.ID, err
}

// TokenByName finds user's token by its GUID name.
func (db *DB) TokenByName(ctx context.Context, userID int64, name string) (Token, error) {
	t, err := scanToken(db.R.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE user_id = ? AND name = ?`, userID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	return t, err
}

// TokensOfUser lists user's tokens, newest first.
func (db *DB) TokensOfUser(ctx context.Context, userID int64) ([]Token, error) {
	return queryAll(ctx, db.R, scanToken, `SELECT `+tokenCols+` FROM tokens WHERE user_id = ? ORDER BY id DESC`, userID)
}

// TokenByID returns token id.
func (db *DB) TokenByID(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(db.R.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	return t, err
}

// ActiveTokenIDs lists the ids of user's tokens of type kind ("system.api",
// "user.login") that are neither revoked nor expired at now (unix
// seconds). It implements commands.TokenLookup.
func (db *DB) ActiveTokenIDs(ctx context.Context, userID int64, kind string, now int64) ([]int64, error) {
	return queryAll(ctx, db.R, scanID, `SELECT id FROM tokens WHERE user_id = ? AND type = ? AND revoked_at = 0 AND expires_at > ?
		ORDER BY id`, userID, kind, now)
}
