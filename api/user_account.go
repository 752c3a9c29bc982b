package api

import (
	"context"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
)

// codeLen is the length of a mailed code; the front-end tells the steps
// of user.passwordLock and user.emailChange apart by it.
const codeLen = 36

type passwordChangeBody struct {
	Password *string `json:"user_password"`
	Repeat   *string `json:"user_passwordRepeat"`
}

// userPasswordChange sets the caller's password.
func (s *Server) userPasswordChange(ctx context.Context, c *Call) (Document, error) {
	var b passwordChangeBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if _, err := s.send(ctx, &commands.ChangePassword{Envelope: envelope(c, "user.passwordChange"), UserID: c.UserID(),
		Password: deref(b.Password), PasswordRepeat: deref(b.Repeat)}); err != nil {
		return Document{}, err
	}
	return Ack("user", c.UserID()), nil
}

type passwordLockBody struct {
	Locked *bool   `json:"user_password_locked"`
	Code   *string `json:"user_code"`
}

// userPasswordLock: {true, ""} locks at once; {false, ""} mails an unlock
// code and unlocks nothing; {false, "<code>"} unlocks.
func (s *Server) userPasswordLock(ctx context.Context, c *Call) (Document, error) {
	var b passwordLockBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if b.Locked == nil {
		return Document{}, domain.Invalid("user_password_locked", domain.DetailFieldRequired)
	}
	code := deref(b.Code)
	if code != "" && len(code) != codeLen {
		return Document{}, domain.Invalid("user_code", user.DetailInvalidCode)
	}
	var cmd commands.Command
	switch {
	case *b.Locked:
		cmd = &commands.LockPassword{Envelope: envelope(c, "user.passwordLock"), UserID: c.UserID()}
	case code == "":
		cmd = &commands.RequestUnlockCode{Envelope: envelope(c, "user.unlockCodeRequest"), UserID: c.UserID()}
	default:
		cmd = &commands.UnlockPassword{Envelope: envelope(c, "user.passwordUnlock"), UserID: c.UserID(), Code: code}
	}
	if _, err := s.send(ctx, cmd); err != nil {
		return Document{}, err
	}
	return Ack("user", c.UserID()), nil
}

type emailChangeBody struct {
	Email *string `json:"user_email"`
	Code  *string `json:"user_code"`
}

// userEmailChange: without a code it mails one to the new address; with
// the code it applies the change.
func (s *Server) userEmailChange(ctx context.Context, c *Call) (Document, error) {
	var b emailChangeBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	var cmd commands.Command
	if code := deref(b.Code); code == "" {
		cmd = &commands.RequestEmailChange{Envelope: envelope(c, "user.emailChangeRequest"), UserID: c.UserID(), Email: deref(b.Email)}
	} else {
		cmd = &commands.ChangeEmail{Envelope: envelope(c, "user.emailChange"), UserID: c.UserID(), Email: deref(b.Email), Code: code}
	}
	if _, err := s.send(ctx, cmd); err != nil {
		return Document{}, err
	}
	return Ack("user", c.UserID()), nil
}

type recoveryBody struct {
	Email    *string `json:"user_email"`
	Code     *string `json:"user_code"`
	Password *string `json:"user_password"`
	Repeat   *string `json:"user_passwordRepeat"`
}

// userRecovery picks its step by the fields present: {user_email} mails a
// code, {user_code} checks it, {user_code, user_password,
// user_passwordRepeat} resets the password. The answer never names the
// account.
func (s *Server) userRecovery(ctx context.Context, c *Call) (Document, error) {
	if s.opts.DisableUserRecovery {
		return Document{}, domain.Forbidden(user.DetailRecoveryDisabled)
	}
	var b recoveryBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	var cmd commands.Command
	code := deref(b.Code)
	switch {
	case code != "" && (b.Password != nil || b.Repeat != nil):
		cmd = &commands.ResetPassword{Envelope: envelope(c, "user.recoveryReset"), Code: code,
			Password: deref(b.Password), PasswordRepeat: deref(b.Repeat)}
	case code != "":
		cmd = &commands.VerifyRecovery{Envelope: envelope(c, "user.recoveryVerify"), Code: code}
	case b.Email != nil:
		cmd = &commands.RequestRecovery{Envelope: envelope(c, "user.recoveryRequest"), Email: *b.Email}
	default:
		return Document{}, domain.Invalid("user_email", domain.DetailFieldRequired)
	}
	if _, err := s.send(ctx, cmd); err != nil {
		return Document{}, err
	}
	return Ack("user", 0), nil
}
