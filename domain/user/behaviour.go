package user

import (
	"time"

	"github.com/uivmm/uivmm/domain"
)

// Activate uses the registration code.
func (u *User) Activate(codeHash string, now time.Time) error {
	if _, err := u.checkCode(PurposeRegister, codeHash, now); err != nil {
		return err
	}
	domain.Record(u, &Activated{CodeHash: codeHash, At: now.Unix()})
	return nil
}

// CanLogIn reports why the user may not log in, if they may not.
func (u *User) CanLogIn() error {
	if !u.active {
		return domain.Forbidden(DetailInactive)
	}
	if u.locked {
		return domain.Forbidden(DetailLocked)
	}
	return nil
}

// ChangePassword records a new hash. A locked password cannot change.
func (u *User) ChangePassword(hash string, now time.Time) error {
	if u.locked {
		return domain.Forbidden(DetailLocked)
	}
	domain.Record(u, &PasswordChanged{PasswordHash: hash, At: now.Unix()})
	return nil
}

// Lock locks the password at once. Locking a locked password records
// nothing.
func (u *User) Lock(now time.Time) {
	if u.locked {
		return
	}
	domain.Record(u, &PasswordLocked{At: now.Unix()})
}

// Unlock uses the unlock code.
func (u *User) Unlock(codeHash string, now time.Time) error {
	if !u.locked {
		return domain.Invalid("user_password_locked", DetailNotLocked)
	}
	if _, err := u.checkCode(PurposeUnlock, codeHash, now); err != nil {
		return err
	}
	domain.Record(u, &PasswordUnlocked{CodeHash: codeHash, At: now.Unix()})
	return nil
}

// ChangeEmail applies the address the e-mail code was sent to. The caller
// has claimed that address.
func (u *User) ChangeEmail(codeHash string, now time.Time) (string, error) {
	c, err := u.checkCode(PurposeEmail, codeHash, now)
	if err != nil {
		return "", err
	}
	domain.Record(u, &EmailChanged{OldEmail: u.email, Email: c.email, CodeHash: codeHash, At: now.Unix()})
	return c.email, nil
}

// PendingEmail returns the address an e-mail change code went to.
func (u *User) PendingEmail() string { return u.codes[PurposeEmail].email }

// VerifyRecovery checks a recovery code (step 2) without using it up.
func (u *User) VerifyRecovery(codeHash string, now time.Time) error {
	c, err := u.checkCode(PurposeRecovery, codeHash, now)
	if err != nil {
		return err
	}
	if !c.verified {
		domain.Record(u, &RecoveryVerified{CodeHash: codeHash, At: now.Unix()})
	}
	return nil
}

// ResetPassword uses the recovery code to set a new password. It also
// activates nothing and unlocks nothing: recovery is for a forgotten
// password, and a locked password stays locked.
func (u *User) ResetPassword(codeHash, hash string, now time.Time) error {
	if _, err := u.checkCode(PurposeRecovery, codeHash, now); err != nil {
		return err
	}
	if u.locked {
		return domain.Forbidden(DetailLocked)
	}
	domain.Record(u, &PasswordChanged{PasswordHash: hash, CodeHash: codeHash, At: now.Unix()})
	return nil
}

// CheckCode reports whether codeHash is the user's pending, unexpired code
// for purpose, recording nothing. Flows that must reserve something before
// they use the code (an e-mail change claims the new address) ask first.
func (u *User) CheckCode(purpose, codeHash string, now time.Time) error {
	_, err := u.checkCode(purpose, codeHash, now)
	return err
}
