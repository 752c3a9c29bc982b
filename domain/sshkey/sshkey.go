package sshkey

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uivmm/uivmm/domain"
)

// Details the original front-end translates. Never change them (the
// grammar is the original's).
const (
	DetailKeyEmpty   = "ssh key has not be empty"
	DetailNameEmpty  = "ssh key name has not be empty"
	DetailIDEmpty    = "ssh key id has not be empty"
	DetailDuplicate  = "ssh key has already been added"
	DetailNotAllowed = "ssh keys change is not allowed"
)

// Details of uivmm's own checks.
const (
	DetailInvalid     = "ssh key is invalid"
	DetailWeak        = "ssh key is too weak"
	DetailNotFound    = "ssh key not found"
	DetailNameTooLong = "ssh key name is too long"
	DetailNameInvalid = "ssh key name is invalid"
)

// MaxNameLen bounds a key name, in runes.
const MaxNameLen = 255

// ClaimNamespace is the unique-claim namespace of keys; see ClaimKey.
const ClaimNamespace = "sshkey"

// Stream returns the event stream name of key id.
func Stream(id int64) string { return fmt.Sprintf("sshkey-%d", id) }

// ClaimKey is the claim that keeps one fingerprint once per user:
// "<userID>:<hex sha256>". Hex, because claim keys are compared
// case-insensitively and base64 is not.
func ClaimKey(userID int64, fingerprint string) string {
	digest := strings.TrimPrefix(fingerprint, "SHA256:")
	if raw, err := base64.RawStdEncoding.DecodeString(digest); err == nil {
		digest = hex.EncodeToString(raw)
	}
	return fmt.Sprintf("%d:%s", userID, digest)
}

// PublicKey is a parsed public key, as the command layer hands it over.
type PublicKey struct {
	Algorithm   string // "ssh-ed25519", "ssh-rsa", ...
	Authorized  string // the normalised authorized_keys line
	Fingerprint string // "SHA256:<base64>"
}

// Key is the aggregate. Its fields change only in When.
type Key struct {
	root        domain.Root
	id          int64
	userID      int64
	name        string
	public      string
	fingerprint string
	deleted     bool
}

// New returns an empty key, to be loaded from its stream or added.
func New() *Key { return &Key{} }

// Root implements domain.Aggregate.
func (k *Key) Root() *domain.Root { return &k.root }

// Accessors.
func (k *Key) ID() int64           { return k.id }
func (k *Key) UserID() int64       { return k.userID }
func (k *Key) Name() string        { return k.name }
func (k *Key) Public() string      { return k.public }
func (k *Key) Fingerprint() string { return k.fingerprint }
func (k *Key) Deleted() bool       { return k.deleted }

// When applies one event. It is the only place that changes fields.
func (k *Key) When(e domain.Event) {
	switch ev := e.(type) {
	case *Added:
		k.id, k.userID, k.name, k.public, k.fingerprint = ev.KeyID, ev.UserID, ev.Name, ev.Public, ev.Fingerprint
	case *Deleted:
		k.deleted = true
	}
}

// ValidateName checks a key name: present, at most MaxNameLen runes, no
// control characters.
func ValidateName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return domain.Invalid("key_name", DetailNameEmpty)
	case utf8.RuneCountInString(name) > MaxNameLen:
		return domain.Invalid("key_name", DetailNameTooLong)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return domain.Invalid("key_name", DetailNameInvalid)
	}
	return nil
}

// Add records a new key id of user. Uniqueness per user is the caller's
// (a claim on ClaimKey); the name and the parsed key are checked here.
func (k *Key) Add(id, userID int64, name string, pub PublicKey, now time.Time) error {
	if k.id != 0 {
		return domain.Conflict(DetailDuplicate)
	}
	if id <= 0 || userID <= 0 {
		return fmt.Errorf("adding ssh key: ids %d/%d are not positive", id, userID)
	}
	if pub.Authorized == "" {
		return domain.Invalid("key_public", DetailKeyEmpty)
	}
	if err := ValidateName(name); err != nil {
		return err
	}
	if pub.Algorithm == "" || !strings.HasPrefix(pub.Fingerprint, "SHA256:") {
		return domain.Invalid("key_public", DetailInvalid)
	}
	domain.Record(k, &Added{KeyID: id, UserID: userID, Name: strings.TrimSpace(name), Algorithm: pub.Algorithm,
		Public: pub.Authorized, Fingerprint: pub.Fingerprint, At: now.Unix()})
	return nil
}

// Delete ends the key. Only its owner may delete it: to anyone else, and
// for a key that never existed or is already deleted, it is "not found".
func (k *Key) Delete(userID int64, now time.Time) error {
	if k.id == 0 || k.deleted || k.userID != userID {
		return domain.NotFound(DetailNotFound)
	}
	domain.Record(k, &Deleted{KeyID: k.id, UserID: k.userID, Fingerprint: k.fingerprint, At: now.Unix()})
	return nil
}
