package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
)

// Passkey methods (CONTRACT.md §6). The ceremonies run in the command
// layer, which holds this process's pending challenges; these methods
// decode the UI's bodies, pass the browser's JSON through untouched, and
// shape the answers.

type credentialMakeBody struct {
	Login       string          `json:"user_login"`
	Email       string          `json:"user_email"`
	Register    bool            `json:"user_register"`
	Attestation string          `json:"attestation_type"`
	Attachment  string          `json:"authenticator_attachment"`
	Response    json.RawMessage `json:"response"`
}

// userCredentialMake is both steps of user.credentialMake, told apart by
// the presence of `response`. user_register:true signs up (no token
// needed); otherwise the key is added to the bearer's account, and a
// missing or bad token is a 401.
func (s *Server) userCredentialMake(ctx context.Context, c *Call) (Document, error) {
	var b credentialMakeBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	var userID int64
	if !b.Register {
		if c.User == nil {
			return Document{}, s.authFailure(c)
		}
		userID = c.UserID()
	}
	if hasValue(b.Response) {
		res, err := s.send(ctx, &commands.RegisterCredential{Envelope: envelope(c, "credential.register"), UserID: userID,
			Register: b.Register, Login: b.Login, Email: b.Email, Name: deviceName(c.Request.UserAgent()), Response: c.Body})
		if err != nil {
			return Document{}, err
		}
		return One("credential", res.ID, map[string]any{"key_id": res.ID}), nil
	}
	res, err := s.send(ctx, &commands.BeginCredentialRegistration{Envelope: envelope(c, "credential.beginRegistration"),
		UserID: userID, Register: b.Register, Login: b.Login, Email: b.Email,
		Attestation: firstSet(b.Attestation, s.opts.WebAuthnAttestationType),
		Attachment:  firstSet(b.Attachment, s.opts.WebAuthnAuthenticatorAttch)})
	if err != nil {
		return Document{}, err
	}
	return optionsDocument(res), nil
}

// authFailure is the 401 of a call that needs a token it lacks: the
// reason the token was refused, or "token not found" without one.
func (s *Server) authFailure(c *Call) error {
	if _, _, err := s.authenticate(c.Request); err != nil {
		return err
	}
	return errNeedsAuth
}

type assertionBody struct {
	Login string `json:"user_login"`
}

// userAssertionGet returns the request options for a passkey login.
// Unknown logins count as failed attempts, as with user.login.
func (s *Server) userAssertionGet(ctx context.Context, c *Call) (Document, error) {
	var b assertionBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	keys := loginThrottleKeys(b.Login, c)
	if err := s.throttle.check(keys...); err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.BeginCredentialLogin{Envelope: envelope(c, "credential.beginLogin"), Login: b.Login})
	if err != nil {
		if domain.IsKind(err, domain.KindNotFound) {
			s.throttle.fail(keys...)
		}
		return Document{}, err
	}
	return optionsDocument(res), nil
}

// userAssertionVerify checks a passkey login and answers exactly like
// user.login. Every refused assertion counts as a failed attempt.
func (s *Server) userAssertionVerify(ctx context.Context, c *Call) (Document, error) {
	var b assertionBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	keys := loginThrottleKeys(b.Login, c)
	if err := s.throttle.check(keys...); err != nil {
		return Document{}, err
	}
	res, err := s.send(ctx, &commands.UseCredential{Envelope: envelope(c, "credential.use"), Login: b.Login, Response: c.Body})
	if err != nil {
		if domain.IsKind(err, domain.KindInvalid) || domain.IsKind(err, domain.KindNotFound) || domain.IsKind(err, domain.KindConflict) {
			s.throttle.fail(keys...)
		}
		return Document{}, err
	}
	s.throttle.reset(keys[0])
	return s.loginDocument(ctx, res)
}

// userCredentialGet lists the caller's passkeys. key_id equals id: the UI
// removes the row whose key_id is the deleted id.
func (s *Server) userCredentialGet(ctx context.Context, c *Call) (Document, error) {
	creds, err := s.rm.CredentialsByUser(ctx, c.UserID())
	if err != nil {
		return Document{}, err
	}
	items := make([]Resource, 0, len(creds))
	for _, cr := range creds {
		items = append(items, Resource{Type: "credential", ID: cr.ID, Attributes: map[string]any{
			"key_id": cr.ID, "key_name": cr.Name, "key_timeadd": cr.AddedAt}})
	}
	return Many(items), nil
}

type credentialDeleteBody struct {
	KeyID Int `json:"key_id"`
}

// userCredentialDelete deletes one of the caller's passkeys; anyone
// else's is "not found".
func (s *Server) userCredentialDelete(ctx context.Context, c *Call) (Document, error) {
	var b credentialDeleteBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if !b.KeyID.Set {
		return Document{}, domain.Invalid("key_id", domain.DetailFieldRequired)
	}
	_, err := s.send(ctx, &commands.DeleteCredential{Envelope: envelope(c, "credential.delete"),
		UserID: c.UserID(), CredentialID: b.KeyID.V})
	if err != nil {
		return Document{}, err
	}
	return Ack("user", c.UserID()), nil
}

// optionsDocument puts a ceremony's options where the UI reads them:
// data.attributes.publicKey.
func optionsDocument(res commands.Result) Document {
	return One("credential", 0, map[string]any{"publicKey": json.RawMessage(res.Values["options"])})
}

// loginThrottleKeys are the throttle keys user.login uses, so password
// and passkey failures add up.
func loginThrottleKeys(login string, c *Call) []string {
	return []string{"login:" + strings.ToLower(login), "addr:" + c.Meta.ClientAddr}
}

func hasValue(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
