package readmodels

import (
	"context"
	"database/sql"
	"errors"
)

// Servers is the read model of the LXD servers users added, and of the
// requests on their resources still waiting for an outcome.
var Servers = Model{
	Name:   "servers",
	Tables: []string{"servers", "server_requests"},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS servers (
			id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL,
			protocol TEXT NOT NULL, provider TEXT NOT NULL, cert_fingerprint TEXT NOT NULL, cert_pem TEXT NOT NULL,
			client_fingerprint TEXT NOT NULL, trust_method TEXT NOT NULL, added_at INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS servers_user ON servers(user_id)`,
		`CREATE TABLE IF NOT EXISTS server_requests (
			server_id INTEGER NOT NULL, request_id TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY(server_id, request_id))`,
	},
}

// Server is a row of the servers read model. CertPEM is the host's
// pinned (public) certificate.
type Server struct {
	ID                int64
	UserID            int64
	Host              string
	Port              int
	Protocol          string
	Provider          string
	CertFingerprint   string
	CertPEM           string
	ClientFingerprint string
	TrustMethod       string
	AddedAt           int64
}

// InsertServer adds a server row (a repeat is ignored).
func InsertServer(ctx context.Context, tx Tx, s Server) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO servers(id, user_id, host, port, protocol, provider, cert_fingerprint,
		cert_pem, client_fingerprint, trust_method, added_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING`,
		s.ID, s.UserID, s.Host, s.Port, s.Protocol, s.Provider, s.CertFingerprint, s.CertPEM, s.ClientFingerprint,
		s.TrustMethod, s.AddedAt)
	return err
}

// DeleteServer removes server id's row (a missing row is no error).
func DeleteServer(ctx context.Context, tx Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM servers WHERE id = ?`, id)
	return err
}

const serverColumns = `id, user_id, host, port, protocol, provider, cert_fingerprint, cert_pem, client_fingerprint,
	trust_method, added_at`

func scanServer(row rowScanner) (Server, error) {
	var s Server
	err := row.Scan(&s.ID, &s.UserID, &s.Host, &s.Port, &s.Protocol, &s.Provider, &s.CertFingerprint, &s.CertPEM,
		&s.ClientFingerprint, &s.TrustMethod, &s.AddedAt)
	return s, err
}

// ServerByID returns server id, or ErrNotFound.
func (db *DB) ServerByID(ctx context.Context, id int64) (Server, error) {
	s, err := scanServer(db.R.QueryRowContext(ctx, `SELECT `+serverColumns+` FROM servers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Server{}, ErrNotFound
	}
	return s, err
}

// ServersOf lists userID's servers, or every server when userID is 0,
// oldest first.
func (db *DB) ServersOf(ctx context.Context, userID int64) ([]Server, error) {
	if userID != 0 {
		return queryAll(ctx, db.R, scanServer, `SELECT `+serverColumns+` FROM servers WHERE user_id = ? ORDER BY id`, userID)
	}
	return queryAll(ctx, db.R, scanServer, `SELECT `+serverColumns+` FROM servers ORDER BY id`)
}

// PutServerRequest notes a request waiting for its outcome (a repeat is
// ignored).
func PutServerRequest(ctx context.Context, tx Tx, serverID int64, requestID, eventType string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO server_requests(server_id, request_id, type) VALUES(?,?,?)
		ON CONFLICT(server_id, request_id) DO NOTHING`, serverID, requestID, eventType)
	return err
}

// DeleteServerRequest forgets a request that has its outcome.
func DeleteServerRequest(ctx context.Context, tx Tx, serverID int64, requestID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM server_requests WHERE server_id = ? AND request_id = ?`, serverID, requestID)
	return err
}

// ServersWithPendingRequests lists the servers that have requests
// without an outcome, in id order.
func (db *DB) ServersWithPendingRequests(ctx context.Context) ([]int64, error) {
	return queryAll(ctx, db.R, scanID, `SELECT DISTINCT server_id FROM server_requests ORDER BY server_id`)
}
