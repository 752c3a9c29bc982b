package credential

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeRegistered = "credential:registered"
	TypeUsed       = "credential:used"
	TypeDeleted    = "credential:deleted"
)

// Registered is the first event of a credential stream. Every field is
// public: KeyID is the authenticator's credential id (base64url, no
// padding), PublicKey the COSE-encoded public key. Name describes the
// device it was registered from ("Mac; Mac OS X 10.15.7; Chrome 114.0.0").
type Registered struct {
	CredentialID    int64    `json:"credential_id"`
	UserID          int64    `json:"user_id"`
	KeyID           string   `json:"key_id"`
	PublicKey       []byte   `json:"public_key"`
	AAGUID          []byte   `json:"aaguid"`
	SignCount       uint32   `json:"sign_count"`
	AttestationType string   `json:"attestation_type"`
	Transports      []string `json:"transports"`
	BackupEligible  bool     `json:"backup_eligible"`
	Name            string   `json:"name"`
	At              int64    `json:"at"`
}

// Used records a successful login with the credential and the signature
// counter the authenticator reported.
type Used struct {
	SignCount uint32 `json:"sign_count"`
	At        int64  `json:"at"`
}

// Deleted ends a credential.
type Deleted struct {
	At int64 `json:"at"`
}

func (Registered) EventType() string { return TypeRegistered }
func (Used) EventType() string       { return TypeUsed }
func (Deleted) EventType() string    { return TypeDeleted }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Registered{} },
		func() domain.Event { return &Used{} },
		func() domain.Event { return &Deleted{} },
	)
}
