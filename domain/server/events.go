package server

import "github.com/uivmm/uivmm/domain"

// Stable event type names. They are stored forever: never rename them.
const (
	TypeAdded   = "server:added"
	TypeRemoved = "server:removed"

	TypeProfileUpdateRequested = "server:profile_update_requested"
	TypeProfileUpdated         = "server:profile_updated"
	TypeProfileUpdateFailed    = "server:profile_update_failed"

	TypeProfileDeleteRequested = "server:profile_delete_requested"
	TypeProfileDeleted         = "server:profile_deleted"
	TypeProfileDeleteFailed    = "server:profile_delete_failed"

	TypeImageDeleteRequested = "server:image_delete_requested"
	TypeImageDeleted         = "server:image_deleted"
	TypeImageDeleteFailed    = "server:image_delete_failed"

	TypeCertificateRevokeRequested = "server:certificate_revoke_requested"
	TypeCertificateRevoked         = "server:certificate_revoked"
	TypeCertificateRevokeFailed    = "server:certificate_revoke_failed"
)

// Added is the first event of a server stream. CertPEM is the host's own
// (public) certificate, pinned at add time; ClientFingerprint is the
// fingerprint of uivmm's client certificate the host now trusts.
// TrustMethod is TrustPassword or TrustToken. The secret is never here.
type Added struct {
	ServerID          int64  `json:"server_id"`
	UserID            int64  `json:"user_id"`
	Host              string `json:"host"`
	Port              int    `json:"port"`
	Protocol          string `json:"protocol"`
	Provider          string `json:"provider"`
	CertFingerprint   string `json:"cert_fingerprint"`
	CertPEM           string `json:"cert_pem"`
	ClientFingerprint string `json:"client_fingerprint"`
	TrustMethod       string `json:"trust_method"`
	At                int64  `json:"at"`
}

// Removed ends a server. It repeats the owner, host and port so a reader
// of this event alone can free the host:port claim.
type Removed struct {
	ServerID int64  `json:"server_id"`
	UserID   int64  `json:"user_id"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	At       int64  `json:"at"`
}

// Request is embedded in every request event. ExpiresAt (unix
// milliseconds) is when the caller stops waiting: a reactor that sees the
// request later records a failure instead of applying it, and bounds its
// LXD call by it.
type Request struct {
	ServerID  int64  `json:"server_id"`
	RequestID string `json:"request_id"`
	ExpiresAt int64  `json:"expires_at_ms"`
	At        int64  `json:"at"`
}

// Outcome is embedded in every outcome event.
type Outcome struct {
	ServerID  int64  `json:"server_id"`
	RequestID string `json:"request_id"`
	At        int64  `json:"at"`
}

// Failure is embedded in every failure event. Kind is a domain.Kind slug
// ("conflict", "not-found", "upstream", "timeout", ...) and Reason a
// user-safe detail, often LXD's own message.
type Failure struct {
	Outcome
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// ProfileUpdateRequested asks to make profile Name hold Body (YAML),
// creating it when missing, and rename it to Rename when set.
type ProfileUpdateRequested struct {
	Request
	Name   string `json:"name"`
	Body   string `json:"body"`
	Rename string `json:"rename,omitempty"`
}

// ProfileUpdated: the host took the update.
type ProfileUpdated struct {
	Outcome
	Name   string `json:"name"`
	Rename string `json:"rename,omitempty"`
}

// ProfileUpdateFailed: the update was not applied.
type ProfileUpdateFailed struct {
	Failure
	Name string `json:"name"`
}

// ProfileDeleteRequested asks to delete profile Name.
type ProfileDeleteRequested struct {
	Request
	Name string `json:"name"`
}

// ProfileDeleted: the host deleted the profile.
type ProfileDeleted struct {
	Outcome
	Name string `json:"name"`
}

// ProfileDeleteFailed: the profile was not deleted.
type ProfileDeleteFailed struct {
	Failure
	Name string `json:"name"`
}

// ImageDeleteRequested asks to delete the host's image Fingerprint.
type ImageDeleteRequested struct {
	Request
	Fingerprint string `json:"fingerprint"`
}

// ImageDeleted: the host deleted the image.
type ImageDeleted struct {
	Outcome
	Fingerprint string `json:"fingerprint"`
}

// ImageDeleteFailed: the image was not deleted.
type ImageDeleteFailed struct {
	Failure
	Fingerprint string `json:"fingerprint"`
}

// CertificateRevokeRequested asks to remove Fingerprint from the host's
// trust store.
type CertificateRevokeRequested struct {
	Request
	Fingerprint string `json:"fingerprint"`
}

// CertificateRevoked: the host no longer trusts the certificate.
type CertificateRevoked struct {
	Outcome
	Fingerprint string `json:"fingerprint"`
}

// CertificateRevokeFailed: the certificate is still trusted.
type CertificateRevokeFailed struct {
	Failure
	Fingerprint string `json:"fingerprint"`
}

func (Added) EventType() string                      { return TypeAdded }
func (Removed) EventType() string                    { return TypeRemoved }
func (ProfileUpdateRequested) EventType() string     { return TypeProfileUpdateRequested }
func (ProfileUpdated) EventType() string             { return TypeProfileUpdated }
func (ProfileUpdateFailed) EventType() string        { return TypeProfileUpdateFailed }
func (ProfileDeleteRequested) EventType() string     { return TypeProfileDeleteRequested }
func (ProfileDeleted) EventType() string             { return TypeProfileDeleted }
func (ProfileDeleteFailed) EventType() string        { return TypeProfileDeleteFailed }
func (ImageDeleteRequested) EventType() string       { return TypeImageDeleteRequested }
func (ImageDeleted) EventType() string               { return TypeImageDeleted }
func (ImageDeleteFailed) EventType() string          { return TypeImageDeleteFailed }
func (CertificateRevokeRequested) EventType() string { return TypeCertificateRevokeRequested }
func (CertificateRevoked) EventType() string         { return TypeCertificateRevoked }
func (CertificateRevokeFailed) EventType() string    { return TypeCertificateRevokeFailed }

// Register adds this package's events to r.
func Register(r *domain.Registry) {
	r.Register(
		func() domain.Event { return &Added{} },
		func() domain.Event { return &Removed{} },
		func() domain.Event { return &ProfileUpdateRequested{} },
		func() domain.Event { return &ProfileUpdated{} },
		func() domain.Event { return &ProfileUpdateFailed{} },
		func() domain.Event { return &ProfileDeleteRequested{} },
		func() domain.Event { return &ProfileDeleted{} },
		func() domain.Event { return &ProfileDeleteFailed{} },
		func() domain.Event { return &ImageDeleteRequested{} },
		func() domain.Event { return &ImageDeleted{} },
		func() domain.Event { return &ImageDeleteFailed{} },
		func() domain.Event { return &CertificateRevokeRequested{} },
		func() domain.Event { return &CertificateRevoked{} },
		func() domain.Event { return &CertificateRevokeFailed{} },
	)
}

// RequestTypes lists the request event types (what reactors handle).
func RequestTypes() []string {
	return []string{TypeProfileUpdateRequested, TypeProfileDeleteRequested, TypeImageDeleteRequested,
		TypeCertificateRevokeRequested}
}

// OutcomeTypes lists the outcome event types (what the API waits for).
func OutcomeTypes() []string {
	return []string{TypeProfileUpdated, TypeProfileUpdateFailed, TypeProfileDeleted, TypeProfileDeleteFailed,
		TypeImageDeleted, TypeImageDeleteFailed, TypeCertificateRevoked, TypeCertificateRevokeFailed}
}

// IsFailure reports whether eventType is a failure outcome.
func IsFailure(eventType string) bool {
	switch eventType {
	case TypeProfileUpdateFailed, TypeProfileDeleteFailed, TypeImageDeleteFailed, TypeCertificateRevokeFailed:
		return true
	}
	return false
}
