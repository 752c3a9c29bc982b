package api

import (
	"context"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/sshkey"
	"github.com/uivmm/uivmm/readmodels"
)

// sshKeyAttrs renders a key as ssh-key.get shows it. key_id repeats id,
// as the front-end's other key lists need.
func sshKeyAttrs(k readmodels.SSHKey) map[string]any {
	return map[string]any{
		"key_id": k.ID, "key_type": "ssh", "key_name": k.Name, "key_public": k.Public,
		"key_timeadd": k.AddedAt, "user_id": k.UserID, "provider": "internal",
	}
}

type sshKeyAddBody struct {
	Name     *string `json:"key_name"`
	Public   *string `json:"key_public"`
	Provider *string `json:"provider"`
}

// sshKeyAdd adds a key to the caller's account. A provider other than
// "internal" cannot take keys.
func (s *Server) sshKeyAdd(ctx context.Context, c *Call) (Document, error) {
	var b sshKeyAddBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if p := deref(b.Provider); p != "" && p != "internal" {
		return Document{}, domain.Forbidden(sshkey.DetailNotAllowed)
	}
	res, err := s.send(ctx, &commands.AddSSHKey{Envelope: envelope(c, "ssh-key.add"), UserID: c.UserID(),
		Name: deref(b.Name), Public: deref(b.Public)})
	if err != nil {
		return Document{}, err
	}
	return Ack("ssh-key", res.ID), nil
}

// sshKeyGet lists the caller's own keys.
func (s *Server) sshKeyGet(ctx context.Context, c *Call) (Document, error) {
	keys, err := s.rm.SSHKeysByUser(ctx, c.UserID())
	if err != nil {
		return Document{}, err
	}
	items := make([]Resource, len(keys))
	for i, k := range keys {
		items[i] = Resource{Type: "ssh-key", ID: k.ID, Attributes: sshKeyAttrs(k)}
	}
	return Many(items), nil
}

type sshKeyDeleteBody struct {
	KeyID Int `json:"key_id"`
}

// sshKeyDelete deletes one of the caller's keys; anyone else's is 404.
func (s *Server) sshKeyDelete(ctx context.Context, c *Call) (Document, error) {
	var b sshKeyDeleteBody
	if err := c.Decode(&b); err != nil {
		return Document{}, err
	}
	if !b.KeyID.Set || b.KeyID.V <= 0 {
		return Document{}, domain.Invalid("key_id", sshkey.DetailIDEmpty)
	}
	res, err := s.send(ctx, &commands.DeleteSSHKey{Envelope: envelope(c, "ssh-key.delete"), UserID: c.UserID(), KeyID: b.KeyID.V})
	if err != nil {
		return Document{}, err
	}
	return Ack("ssh-key", res.ID), nil
}
