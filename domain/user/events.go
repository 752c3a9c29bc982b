package user

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeRegistered       = "user:registered"
	TypeCodeIssued       = "user:code_issued"
	TypeActivated        = "user:activated"
	TypePasswordChanged  = "user:password_changed"
	TypePasswordLocked   = "user:password_locked"
	TypePasswordUnlocked = "user:password_unlocked"
	TypeEmailChanged     = "user:email_changed"
	TypeRecoveryVerified = "user:recovery_verified"
)

// Registered is the first event of every user stream.
type Registered struct {
	UserID       int64  `json:"user_id"`
	Login        string `json:"login"`
	Email        string `json:"email"`
	Group        int    `json:"group"`
	PasswordHash string `json:"password_hash,omitempty"`
	Active       bool   `json:"active"`
	Via          string `json:"via"` // "self", "cli", "passkey"
	At           int64  `json:"at"`
}

// CodeIssued records that a one-time code for Purpose was mailed. Only its
// hash is kept. Email is the address it went to (the new address for an
// e-mail change).
type CodeIssued struct {
	Purpose   string `json:"purpose"`
	CodeHash  string `json:"code_hash"`
	Email     string `json:"email"`
	ExpiresAt int64  `json:"expires_at"`
	At        int64  `json:"at"`
}

// Activated records that the registration code was used.
type Activated struct {
	CodeHash string `json:"code_hash"`
	At       int64  `json:"at"`
}

// PasswordChanged records a new password hash; CodeHash is set when a
// recovery code authorised it.
type PasswordChanged struct {
	PasswordHash string `json:"password_hash"`
	CodeHash     string `json:"code_hash,omitempty"`
	At           int64  `json:"at"`
}

// PasswordLocked records that the user locked their password.
type PasswordLocked struct {
	At int64 `json:"at"`
}

// PasswordUnlocked records an unlock authorised by a mailed code.
type PasswordUnlocked struct {
	CodeHash string `json:"code_hash"`
	At       int64  `json:"at"`
}

// EmailChanged records a new address, authorised by a code mailed to it.
type EmailChanged struct {
	OldEmail string `json:"old_email"`
	Email    string `json:"email"`
	CodeHash string `json:"code_hash"`
	At       int64  `json:"at"`
}

// RecoveryVerified records that a recovery code was checked (step 2 of
// user.recovery). The code stays valid for the reset that follows.
type RecoveryVerified struct {
	CodeHash string `json:"code_hash"`
	At       int64  `json:"at"`
}

func (Registered) EventType() string       { return TypeRegistered }
func (CodeIssued) EventType() string       { return TypeCodeIssued }
func (Activated) EventType() string        { return TypeActivated }
func (PasswordChanged) EventType() string  { return TypePasswordChanged }
func (PasswordLocked) EventType() string   { return TypePasswordLocked }
func (PasswordUnlocked) EventType() string { return TypePasswordUnlocked }
func (EmailChanged) EventType() string     { return TypeEmailChanged }
func (RecoveryVerified) EventType() string { return TypeRecoveryVerified }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Registered{} },
		func() domain.Event { return &CodeIssued{} },
		func() domain.Event { return &Activated{} },
		func() domain.Event { return &PasswordChanged{} },
		func() domain.Event { return &PasswordLocked{} },
		func() domain.Event { return &PasswordUnlocked{} },
		func() domain.Event { return &EmailChanged{} },
		func() domain.Event { return &RecoveryVerified{} },
	)
}
