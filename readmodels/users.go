package readmodels

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Users is the read model of users and their pending one-time codes.
var Users = Model{
	Name:   "users",
	Tables: []string{"users", "user_codes"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS users (
			id INTEGER PRIMARY KEY, login TEXT NOT NULL, login_lc TEXT NOT NULL, email TEXT NOT NULL,
			email_lc TEXT NOT NULL, grp INTEGER NOT NULL, active INTEGER NOT NULL, locked INTEGER NOT NULL,
			has_password INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS users_login ON users(login_lc)`,
		`CREATE INDEX IF NOT EXISTS users_email ON users(email_lc)`,
		`CREATE TABLE IF NOT EXISTS user_codes (
			user_id INTEGER NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL,
			expires_at INTEGER NOT NULL, PRIMARY KEY(user_id, purpose))`,
		`CREATE INDEX IF NOT EXISTS user_codes_hash ON user_codes(code_hash)`,
	},
}

// User is a row of the users read model.
type User struct {
	ID          int64
	Login       string
	Email       string
	Group       int
	Active      bool
	Locked      bool
	HasPassword bool
	CreatedAt   int64
	UpdatedAt   int64
}

// InsertUser adds a user row.
func InsertUser(ctx context.Context, tx Tx, u User) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users(id, login, login_lc, email, email_lc, grp, active, locked, has_password, created_at, updated_at)
		VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`,
		u.ID, u.Login, strings.ToLower(u.Login), u.Email, strings.ToLower(u.Email), u.Group, u.Active, u.Locked, u.HasPassword, u.CreatedAt, u.UpdatedAt)
	return err
}

// SetUserFlags changes one boolean column ("active", "locked",
// "has_password") of user id.
func SetUserFlag(ctx context.Context, tx Tx, id int64, column string, v bool, at int64) error {
	switch column {
	case "active", "locked", "has_password":
	default:
		return errors.New("unknown user flag " + column)
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET `+column+` = ?, updated_at = ? WHERE id = ?`, v, at, id)
	return err
}

// SetUserEmail changes user id's e-mail address.
func SetUserEmail(ctx context.Context, tx Tx, id int64, email string, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, email_lc = ?, updated_at = ? WHERE id = ?`, email, strings.ToLower(email), at, id)
	return err
}

// TouchUser sets updated_at.
func TouchUser(ctx context.Context, tx Tx, id int64, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = ? WHERE id = ?`, at, id)
	return err
}

// PutCode records a pending code hash for (user, purpose), replacing one.
func PutCode(ctx context.Context, tx Tx, userID int64, purpose, hash string, expires int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_codes(user_id, purpose, code_hash, expires_at) VALUES(?,?,?,?)
		ON CONFLICT(user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at`,
		userID, purpose, hash, expires)
	return err
}

// DeleteCode removes (user, purpose)'s pending code.
func DeleteCode(ctx context.Context, tx Tx, userID int64, purpose string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM user_codes WHERE user_id = ? AND purpose = ?`, userID, purpose)
	return err
}

const userCols = `id, login, email, grp, active, locked, has_password, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Login, &u.Email, &u.Group, &u.Active, &u.Locked, &u.HasPassword, &u.CreatedAt, &u.UpdatedAt)
	return u, err
}

// ErrNotFound is returned by single-row queries that find nothing.
var ErrNotFound = errors.New("not found")

// UserByID returns user id.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// UserByLogin finds a user by login or, failing that, by e-mail address.
func (db *DB) UserByLogin(ctx context.Context, loginOrEmail string) (User, error) {
	lc := strings.ToLower(loginOrEmail)
	u, err := scanUser(db.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE login_lc = ?
		UNION ALL SELECT `+userCols+` FROM users WHERE email_lc = ? LIMIT 1`, lc, lc))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// UserIDByLogin implements commands.UserLookup.
func (db *DB) UserIDByLogin(ctx context.Context, loginOrEmail string) (int64, error) {
	u, err := db.UserByLogin(ctx, loginOrEmail)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return u.ID, err
}

// UserIDByCode implements commands.UserLookup.
func (db *DB) UserIDByCode(ctx context.Context, purpose, hash string) (int64, error) {
	var id int64
	err := db.R.QueryRowContext(ctx, `SELECT user_id FROM user_codes WHERE code_hash = ? AND purpose = ? AND expires_at > ?`,
		hash, purpose, time.Now().Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
