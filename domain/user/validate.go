package user

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/uivmm/uivmm/domain"
)

// Validation details the original front-end translates.
const (
	DetailInvalidLogin    = "invalid login"
	DetailInvalidEmail    = "invalid email"
	DetailShortPassword   = "the password entered is too short"
	DetailPasswordsDiffer = "these passwords don't match. try again?"
)

// MinPasswordLen is the password policy's minimum length (in runes).
const MinPasswordLen = 8

var loginRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// ValidateLogin checks a login name.
func ValidateLogin(login string) error {
	if login == "" {
		return domain.Invalid("user_login", domain.DetailFieldRequired)
	}
	if !loginRE.MatchString(login) || strings.Contains(login, "@") {
		return domain.Invalid("user_login", DetailInvalidLogin)
	}
	return nil
}

// ValidateEmail checks an e-mail address: a bare addr-spec, no display name.
func ValidateEmail(email string) error {
	if email == "" {
		return domain.Invalid("user_email", domain.DetailFieldRequired)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || strings.ContainsAny(email, "\r\n") {
		return domain.Invalid("user_email", DetailInvalidEmail)
	}
	return nil
}

// ValidatePassword checks the policy and that repeat matches.
func ValidatePassword(pw, repeat string) error {
	if pw == "" {
		return domain.Invalid("user_password", domain.DetailFieldRequired)
	}
	if len([]rune(pw)) < MinPasswordLen {
		return domain.Invalid("user_password", DetailShortPassword)
	}
	if len(pw) > 1024 {
		return domain.Invalid("user_password", "the password entered is too long")
	}
	if pw != repeat {
		return domain.Invalid("user_passwordRepeat", DetailPasswordsDiffer)
	}
	return nil
}
