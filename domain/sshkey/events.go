package sshkey

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeAdded   = "sshkey:added"
	TypeDeleted = "sshkey:deleted"
)

// Added is the first event of a key stream. Public is the normalised
// authorized_keys line ("ssh-ed25519 AAAA… comment"); Fingerprint is the
// OpenSSH SHA256 form ("SHA256:…").
type Added struct {
	KeyID       int64  `json:"key_id"`
	UserID      int64  `json:"user_id"`
	Name        string `json:"name"`
	Algorithm   string `json:"algorithm"`
	Public      string `json:"public"`
	Fingerprint string `json:"fingerprint"`
	At          int64  `json:"at"`
}

// Deleted ends a key. It repeats the owner and fingerprint so a reader of
// this event alone can free the key's claim.
type Deleted struct {
	KeyID       int64  `json:"key_id"`
	UserID      int64  `json:"user_id"`
	Fingerprint string `json:"fingerprint"`
	At          int64  `json:"at"`
}

func (Added) EventType() string   { return TypeAdded }
func (Deleted) EventType() string { return TypeDeleted }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Added{} },
		func() domain.Event { return &Deleted{} },
	)
}
