package api

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/readmodels"
)

// userAttrs renders a user as the front-end reads it.
func userAttrs(u readmodels.User) map[string]any {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(u.Email))))
	return map[string]any{
		"login": u.Login, "email": u.Email, "group": u.Group, "password_locked": u.Locked,
		"photo": "https://secure.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?d=identicon&s=200",
	}
}

// userResource is the included user of user.login and user.get.
func userResource(u readmodels.User) Resource {
	return Resource{Type: "user", ID: u.ID, Attributes: userAttrs(u)}
}

func (s *Server) userGet(ctx context.Context, c *Call) (Document, error) {
	u, err := s.rm.UserByID(ctx, c.UserID())
	if err != nil {
		return Document{}, err
	}
	return One("user", u.ID, userAttrs(u)), nil
}

type registerBody struct {
	Login          *string `json:"user_login"`
	Email          *string `json:"user_email"`
	Password       *string `json:"user_password"`
	PasswordRepeat *string `json:"user_passwordRepeat"`
	Code           *string `json:"user_code"`
}

// userRegister: {login, email, password, repeat} creates an inactive
// account and mails a code; {user_code} activates it.
func (s *Server) userRegister(ctx context.Context, c *Call) (Document, error) {
	var b registerBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if b.Code != nil && b.Login == nil {
		res, err := s.send(ctx, &commands.ActivateUser{Envelope: envelope(c, "user.activate"), Code: *b.Code})
		if err != nil {
			return Document{}, err
		}
		return Ack("user", res.ID), nil
	}
	if s.opts.DisableUserRegistration {
		return Document{}, domain.Forbidden("registration is disabled")
	}
	res, err := s.send(ctx, &commands.RegisterUser{Envelope: envelope(c, "user.register"),
		Login: deref(b.Login), Email: deref(b.Email), Password: deref(b.Password), PasswordRepeat: deref(b.PasswordRepeat)})
	if err != nil {
		return Document{}, err
	}
	return Ack("user", res.ID), nil
}

type loginBody struct {
	Login    string `json:"user_login"`
	Password string `json:"user_password"`
}

// userLogin checks the throttle, logs in, and answers with the token in
// data.attributes and the user in included.
func (s *Server) userLogin(ctx context.Context, c *Call) (Document, error) {
	var b loginBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	loginKey, addrKey := "login:"+strings.ToLower(b.Login), "addr:"+c.Meta.ClientAddr
	if err := s.throttle.check(loginKey, addrKey); err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.LogIn{Envelope: envelope(c, "user.login"), Login: b.Login, Password: b.Password})
	if err != nil {
		if isCredentialFailure(err) {
			s.throttle.fail(loginKey, addrKey)
		}
		return Document{}, err
	}
	s.throttle.reset(loginKey)
	return s.loginDocument(ctx, res)
}

// loginDocument is the user.login (and user.assertionVerify) reply.
func (s *Server) loginDocument(ctx context.Context, res commands.Result) (Document, error) {
	u, err := s.rm.UserByID(ctx, res.ID)
	if err != nil {
		return Document{}, fmt.Errorf("reading user %d after login: %w", res.ID, err)
	}
	doc := One("user", u.ID, map[string]any{"token": res.Values["token"]}, userResource(u))
	return doc, nil
}

func isCredentialFailure(err error) bool {
	de, ok := domain.As(err)
	return ok && (de.Detail == "wrong credential" || de.Detail == domain.DetailUserNotFound)
}

func (s *Server) userLogout(ctx context.Context, c *Call) (Document, error) {
	_, err := s.send(ctx, &commands.RevokeToken{Envelope: envelope(c, "user.logout"), UserID: c.UserID(),
		TokenID: c.TokenID, Reason: "logout"})
	if err != nil {
		return Document{}, err
	}
	return Ack("user", c.UserID()), nil
}

func envelope(c *Call, command string) commands.Envelope {
	return commands.Envelope{Metadata: c.MetaFor(command)}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var _ = errors.New
