package token

// Snapshot is a token's state as plain data, for the history tools
// (uivmm state). The token's hash is not part of the aggregate.
type Snapshot struct {
	ID        int64  `json:"token_id"`
	UserID    int64  `json:"user_id"`
	Kind      string `json:"token_type"`
	Name      string `json:"token_name"`
	ExpiresAt int64  `json:"token_time_expire"`
	RevokedAt int64  `json:"revoke_time"`
	Revoked   bool   `json:"revoked"`
}

// Snapshot returns a copy of the token's state.
func (t *Token) Snapshot() Snapshot {
	return Snapshot{ID: t.id, UserID: t.userID, Kind: t.kind, Name: t.name, ExpiresAt: t.expiresAt,
		RevokedAt: t.revokedAt, Revoked: t.revokedAt != 0}
}
