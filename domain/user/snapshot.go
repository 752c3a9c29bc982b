package user

// Snapshot is a user's state as plain data, for the history tools
// (uivmm state). It holds no secret: only whether a password is set, and
// the purposes and expiry of pending codes, never their hashes.
type Snapshot struct {
	ID           int64            `json:"id"`
	Login        string           `json:"login"`
	Email        string           `json:"email"`
	Group        int              `json:"group"`
	Active       bool             `json:"active"`
	Locked       bool             `json:"password_locked"`
	HasPassword  bool             `json:"has_password"`
	PendingCodes map[string]int64 `json:"pending_codes"` // purpose → expiry (unix seconds)
}

// Snapshot returns a copy of the user's state.
func (u *User) Snapshot() Snapshot {
	codes := make(map[string]int64, len(u.codes))
	for purpose, c := range u.codes {
		codes[purpose] = c.expiresAt
	}
	return Snapshot{ID: u.id, Login: u.login, Email: u.email, Group: u.group, Active: u.active,
		Locked: u.locked, HasPassword: u.passwordHash != "", PendingCodes: codes}
}
