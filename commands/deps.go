package commands

import (
	"context"
	"time"

	"github.com/uivmm/uivmm/secrets"
)

// Mailer sends one plain-text message. Codes are mailed synchronously from
// the command handler, before anything is recorded, because the raw code
// never enters the event log (so no reactor could mail it later) and a
// failing mail server must fail the call cleanly.
type Mailer interface {
	Send(ctx context.Context, to, subject, text string) error
}

// UserLookup answers the questions a handler cannot answer from one
// stream. It is implemented by the read models.
type UserLookup interface {
	// UserIDByLogin finds a user by login or e-mail (case-insensitive);
	// 0 and no error when there is none.
	UserIDByLogin(ctx context.Context, loginOrEmail string) (int64, error)
	// UserIDByCode finds the user holding an unexpired code hash for
	// purpose; 0 when none does.
	UserIDByCode(ctx context.Context, purpose, codeHash string) (int64, error)
	// TokenIDByHash finds a token by the hash of its secret; 0 if none.
	TokenIDByHash(ctx context.Context, hash string) (int64, error)
}

// Settings are the configuration switches and lifetimes handlers obey.
type Settings struct {
	CodeLifetime          time.Duration
	LoginTokenLifetime    time.Duration
	DisableRegistration   bool
	DisableRecovery       bool
	DisablePasswordChange bool
	DisableSSHKeyAdd      bool
	DisableServerAdd      bool
	PasswordParams        secrets.Params
}

func (s *Settings) setDefaults() {
	if s.CodeLifetime <= 0 {
		s.CodeLifetime = 24 * time.Hour
	}
	if s.LoginTokenLifetime <= 0 {
		s.LoginTokenLifetime = 24 * time.Hour
	}
	if s.PasswordParams.Memory == 0 {
		s.PasswordParams = secrets.DefaultParams
	}
}

// TokenLookup lists a user's live tokens. It is implemented by the read
// models; only token.create's revoke-all needs it.
type TokenLookup interface {
	// ActiveTokenIDs lists the ids of userID's tokens of type kind that
	// are neither revoked nor expired at now (unix seconds).
	ActiveTokenIDs(ctx context.Context, userID int64, kind string, now int64) ([]int64, error)
}

// Deps are what handlers are built from. Clock may be nil (time.Now).
// Tokens is needed only by the token.create handler.
type Deps struct {
	Repo     *Repo
	Users    UserLookup
	Tokens   TokenLookup
	Passkeys *Passkeys // nil: passkeys are disabled (the passkey handlers answer 403)
	Mailer   Mailer
	Servers  ServerTrust // nil: server.add is not wired
	Clock    func() time.Time
	Settings Settings
	// ServerOwners is needed by the instance handlers only.
	ServerOwners ServerOwnerLookup
}

func (d *Deps) now() time.Time {
	if d.Clock == nil {
		return time.Now().UTC()
	}
	return d.Clock().UTC()
}

func (d *Deps) mustHave(needMailer bool) {
	if d == nil || d.Repo == nil || d.Users == nil || (needMailer && d.Mailer == nil) {
		panic("commands: handler constructed with nil dependencies")
	}
	d.Settings.setDefaults()
}
