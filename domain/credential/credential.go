package credential

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uivmm/uivmm/domain"
)

// Error details.
const (
	DetailNotFound  = "credential not found"
	DetailUnknown   = "unknown credential"
	DetailCloned    = "the authenticator may be cloned"
	DetailDuplicate = "this passkey is already registered"
)

// MaxNameLen bounds a credential name, in runes; longer names are cut.
const MaxNameLen = 128

// DefaultName names a credential whose device is not known.
const DefaultName = "passkey"

// ClaimNamespace is the unique-claim namespace of credential ids.
const ClaimNamespace = "credential"

// Stream returns the event stream name of credential id.
func Stream(id int64) string { return fmt.Sprintf("credential-%d", id) }

// ClaimKey is the claim that keeps a credential id on one account: the hex
// SHA-256 of the raw id. Hex, because claim keys are compared
// case-insensitively and base64url is not; hashed, to bound its length.
func ClaimKey(keyID string) string {
	raw, err := base64.RawURLEncoding.DecodeString(keyID)
	if err != nil {
		raw = []byte(keyID)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// CleanName makes a credential name of free text (a device description):
// control characters become spaces, runs of spaces one space, and the
// result is cut to MaxNameLen runes. An empty result is DefaultName.
func CleanName(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(s) > MaxNameLen {
		s = strings.TrimSpace(string([]rune(s)[:MaxNameLen]))
	}
	if s == "" {
		return DefaultName
	}
	return s
}

// Registration is what Register needs: the public record of a verified
// credential, as package passkey returns it, plus its ids and name.
type Registration struct {
	ID              int64
	UserID          int64
	KeyID           string // base64url (no padding) of the raw credential id
	PublicKey       []byte // COSE
	AAGUID          []byte
	SignCount       uint32
	AttestationType string
	Transports      []string
	BackupEligible  bool
	Name            string
}

// Credential is the aggregate. Its fields change only in When.
type Credential struct {
	root            domain.Root
	id              int64
	userID          int64
	keyID           string
	publicKey       []byte
	aaguid          []byte
	signCount       uint32
	attestationType string
	transports      []string
	backupEligible  bool
	name            string
	addedAt         int64
	deleted         bool
}

// New returns an empty credential, to be loaded from its stream or
// registered.
func New() *Credential { return &Credential{} }

// Root implements domain.Aggregate.
func (c *Credential) Root() *domain.Root { return &c.root }

// Accessors. Slices are returned as copies.
func (c *Credential) ID() int64               { return c.id }
func (c *Credential) UserID() int64           { return c.userID }
func (c *Credential) KeyID() string           { return c.keyID }
func (c *Credential) PublicKey() []byte       { return slices.Clone(c.publicKey) }
func (c *Credential) AAGUID() []byte          { return slices.Clone(c.aaguid) }
func (c *Credential) SignCount() uint32       { return c.signCount }
func (c *Credential) AttestationType() string { return c.attestationType }
func (c *Credential) Transports() []string    { return slices.Clone(c.transports) }
func (c *Credential) BackupEligible() bool    { return c.backupEligible }
func (c *Credential) Name() string            { return c.name }
func (c *Credential) AddedAt() int64          { return c.addedAt }
func (c *Credential) Deleted() bool           { return c.deleted }

// Live reports whether the credential exists and is not deleted.
func (c *Credential) Live() bool { return c.id != 0 && !c.deleted }

// When applies one event. It is the only place that changes fields.
func (c *Credential) When(e domain.Event) {
	switch ev := e.(type) {
	case *Registered:
		c.id, c.userID, c.keyID, c.name, c.addedAt = ev.CredentialID, ev.UserID, ev.KeyID, ev.Name, ev.At
		c.publicKey, c.aaguid, c.signCount = ev.PublicKey, ev.AAGUID, ev.SignCount
		c.attestationType, c.transports, c.backupEligible = ev.AttestationType, ev.Transports, ev.BackupEligible
	case *Used:
		c.signCount = ev.SignCount
	case *Deleted:
		c.deleted = true
	}
}

// Register records a new credential. Uniqueness of the key id is the
// caller's (a claim on ClaimKey); the record's shape is checked here and
// the name is cleaned with CleanName.
func (c *Credential) Register(r Registration, now time.Time) error {
	if c.id != 0 {
		return domain.Conflict(DetailDuplicate)
	}
	if r.ID <= 0 || r.UserID <= 0 {
		return fmt.Errorf("registering credential: ids %d/%d are not positive", r.ID, r.UserID)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(r.KeyID); err != nil || len(raw) == 0 {
		return fmt.Errorf("registering credential: key id %q is not base64url", r.KeyID)
	}
	if len(r.PublicKey) == 0 {
		return fmt.Errorf("registering credential: no public key")
	}
	domain.Record(c, &Registered{CredentialID: r.ID, UserID: r.UserID, KeyID: r.KeyID,
		PublicKey: slices.Clone(r.PublicKey), AAGUID: slices.Clone(r.AAGUID), SignCount: r.SignCount,
		AttestationType: r.AttestationType, Transports: slices.Clone(r.Transports),
		BackupEligible: r.BackupEligible, Name: CleanName(r.Name), At: now.Unix()})
	return nil
}

// Use records a login that the authenticator signed with counter
// signCount. A deleted credential is unknown. The counter must go up once
// it has ever been non-zero (authenticators without a counter always send
// 0); anything else signals a cloned authenticator and is refused.
func (c *Credential) Use(signCount uint32, now time.Time) error {
	if !c.Live() {
		return domain.Invalid("", DetailUnknown)
	}
	if c.signCount != 0 && signCount <= c.signCount {
		return domain.Invalid("", DetailCloned)
	}
	domain.Record(c, &Used{SignCount: signCount, At: now.Unix()})
	return nil
}

// Delete ends the credential. Only its owner may delete it: to anyone
// else, and for a credential that never existed or is already deleted, it
// is "not found".
func (c *Credential) Delete(userID int64, now time.Time) error {
	if !c.Live() || c.userID != userID {
		return domain.NotFound(DetailNotFound)
	}
	domain.Record(c, &Deleted{At: max(now.Unix(), 1)})
	return nil
}
