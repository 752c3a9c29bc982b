package commands

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/secrets"
)

// LogIn checks a login (or e-mail) and password and issues a login token.
// The raw token comes back in Result.Values["token"] and is never stored.
type LogIn struct {
	Envelope
	Login    string `json:"login"`
	Password string `json:"password"`
}

// CommandName implements Command.
func (LogIn) CommandName() string { return "user.login" }

// NewLogInHandler builds the handler.
func NewLogInHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(LogIn{}.CommandName(), func(ctx context.Context, c *LogIn) (Result, error) {
		if c.Login == "" {
			return Result{}, domain.Invalid("user_login", domain.DetailFieldRequired)
		}
		if c.Password == "" {
			return Result{}, domain.Invalid("user_password", domain.DetailFieldRequired)
		}
		u, err := d.loadUserByLogin(ctx, c.Login)
		if err != nil {
			return Result{}, err
		}
		ok, err := secrets.CheckPassword(c.Password, u.PasswordHash())
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, domain.Invalid("user_password", user.DetailWrongCred)
		}
		if err := u.CanLogIn(); err != nil {
			return Result{}, err
		}
		return d.issueToken(ctx, c.Meta(), u.ID(), token.TypeLogin, d.Settings.LoginTokenLifetime)
	})
}

// loadUserByLogin finds and loads a user by login or e-mail.
func (d *Deps) loadUserByLogin(ctx context.Context, login string) (*user.User, error) {
	id, err := d.Users.UserIDByLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, domain.NotFound(domain.DetailUserNotFound)
	}
	u := user.New()
	if _, err := d.Repo.Load(ctx, user.Stream(id), u); err != nil {
		return nil, err
	}
	if !u.Exists() {
		return nil, domain.NotFound(domain.DetailUserNotFound)
	}
	return u, nil
}

// issueToken records a new token for userID. Every call makes a fresh
// secret, so the id reservation must not be deduplicated by request id.
func (d *Deps) issueToken(ctx context.Context, meta eventMeta, userID int64, kind string, life time.Duration) (Result, error) {
	idMeta := meta
	idMeta.RequestID = meta.RequestID + ":" + uuid.NewString()
	id, err := d.Repo.NextID(ctx, "token", idMeta)
	if err != nil {
		return Result{}, err
	}
	raw, err := secrets.NewToken()
	if err != nil {
		return Result{}, err
	}
	now := d.now()
	t := token.New()
	if err := t.Issue(token.Issued{TokenID: id, UserID: userID, Kind: kind, Name: uuid.NewString(),
		Hash: secrets.Hash(raw), StartAt: now.Unix(), ExpiresAt: now.Add(life).Unix()}); err != nil {
		return Result{}, err
	}
	ar, err := d.Repo.Save(ctx, token.Stream(id), t, meta)
	if err != nil {
		return Result{}, err
	}
	return Result{Position: ar.Position, ID: userID, Values: map[string]string{"token": raw, "token_id": itoa(id)}}, nil
}
