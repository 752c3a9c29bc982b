package user

import (
	"fmt"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Code purposes.
const (
	PurposeRegister = "register"
	PurposeUnlock   = "unlock"
	PurposeEmail    = "email"
	PurposeRecovery = "recovery"
)

// Groups. A group below GroupPrivilegedBelow may see and manage everything.
const (
	GroupAdmin           = 1
	GroupSelfRegistered  = 4
	GroupPrivilegedBelow = 3
)

// Error details the original front-end translates. Never change them.
const (
	DetailOccupied      = "this is the user name or mailbox is already occupied. try another credentials"
	DetailWrongCred     = "wrong credential"
	DetailInvalidCode   = "invalid code"
	DetailInactive      = "user is not activated"
	DetailLocked        = "password is locked"
	DetailNotLocked     = "password is not locked"
	DetailAlreadyLocked = "password is already locked"
)

// Details of the configuration switches and of uivmm's own checks.
const (
	DetailRegistrationDisabled   = "registration is disabled"
	DetailRecoveryDisabled       = "recovery is disabled"
	DetailPasswordChangeDisabled = "password change is disabled"
	DetailSameEmail              = "this is already your e-mail address"
)

// Stream returns the event stream name of user id.
func Stream(id int64) string { return fmt.Sprintf("user-%d", id) }

type pendingCode struct {
	hash      string
	email     string
	expiresAt int64
	verified  bool
}

// User is the aggregate. Its fields change only in When.
type User struct {
	root         domain.Root
	id           int64
	login        string
	email        string
	group        int
	passwordHash string
	active       bool
	locked       bool
	codes        map[string]pendingCode
}

// New returns an empty user, to be loaded from its stream or registered.
func New() *User { return &User{codes: map[string]pendingCode{}} }

// Root implements domain.Aggregate.
func (u *User) Root() *domain.Root { return &u.root }

// Accessors. They expose copies only.
func (u *User) ID() int64            { return u.id }
func (u *User) Login() string        { return u.login }
func (u *User) Email() string        { return u.email }
func (u *User) Group() int           { return u.group }
func (u *User) Active() bool         { return u.active }
func (u *User) Locked() bool         { return u.locked }
func (u *User) PasswordHash() string { return u.passwordHash }
func (u *User) Exists() bool         { return u.id != 0 }

// Privileged reports whether the user may see and manage everything.
func (u *User) Privileged() bool { return u.group < GroupPrivilegedBelow }

// When applies one event. It is the only place that changes fields.
func (u *User) When(e domain.Event) {
	switch ev := e.(type) {
	case *Registered:
		u.id, u.login, u.email, u.group = ev.UserID, ev.Login, ev.Email, ev.Group
		u.passwordHash, u.active = ev.PasswordHash, ev.Active
	case *CodeIssued:
		u.codes[ev.Purpose] = pendingCode{hash: ev.CodeHash, email: ev.Email, expiresAt: ev.ExpiresAt}
	case *Activated:
		u.active = true
		delete(u.codes, PurposeRegister)
	case *PasswordChanged:
		u.passwordHash = ev.PasswordHash
		if ev.CodeHash != "" {
			delete(u.codes, PurposeRecovery)
		}
	case *PasswordLocked:
		u.locked = true
	case *PasswordUnlocked:
		u.locked = false
		delete(u.codes, PurposeUnlock)
	case *EmailChanged:
		u.email = ev.Email
		delete(u.codes, PurposeEmail)
	case *RecoveryVerified:
		c := u.codes[PurposeRecovery]
		c.verified = true
		u.codes[PurposeRecovery] = c
	}
}

// Registration is what Register needs; PasswordHash is an argon2id hash or
// "" for a passkey-only account.
type Registration struct {
	ID           int64
	Login        string
	Email        string
	Group        int
	PasswordHash string
	Active       bool
	Via          string
}

// Register records the first event of a new user. Uniqueness of login and
// e-mail is enforced by the caller (claims), not here.
func (u *User) Register(r Registration, now time.Time) error {
	if u.Exists() {
		return domain.Conflict(DetailOccupied)
	}
	if r.ID <= 0 {
		return fmt.Errorf("registering user: id %d is not positive", r.ID)
	}
	domain.Record(u, &Registered{UserID: r.ID, Login: r.Login, Email: r.Email, Group: r.Group,
		PasswordHash: r.PasswordHash, Active: r.Active, Via: r.Via, At: now.Unix()})
	return nil
}

// IssueCode records a mailed code for purpose, replacing any earlier one.
func (u *User) IssueCode(purpose, codeHash, email string, expires time.Time, now time.Time) {
	domain.Record(u, &CodeIssued{Purpose: purpose, CodeHash: codeHash, Email: email,
		ExpiresAt: expires.Unix(), At: now.Unix()})
}

// checkCode verifies a code hash for purpose: present, equal, unexpired.
func (u *User) checkCode(purpose, codeHash string, now time.Time) (pendingCode, error) {
	c, ok := u.codes[purpose]
	if !ok || c.hash != codeHash || now.Unix() >= c.expiresAt {
		return pendingCode{}, domain.Invalid("user_code", DetailInvalidCode)
	}
	return c, nil
}
