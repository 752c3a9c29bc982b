package commands

import (
	"context"
	"crypto/rsa"
	"errors"
	"strings"
	"unicode"

	"golang.org/x/crypto/ssh"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/sshkey"
	"github.com/uivmm/uivmm/domain/unique"
)

// AddSSHKey adds a public key to UserID's account (ssh-key.add). The key
// is parsed with golang.org/x/crypto/ssh; one fingerprint may be added
// once per user, which a claim on sshkey.ClaimKey enforces.
type AddSSHKey struct {
	Envelope
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Public string `json:"public"`
}

// CommandName implements Command.
func (AddSSHKey) CommandName() string { return "ssh-key.add" }

// MaxSSHKeyLen bounds the submitted key text (a 16384-bit RSA key is
// about 2.8 KB).
const MaxSSHKeyLen = 16 << 10

// NewAddSSHKeyHandler builds the handler.
func NewAddSSHKeyHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(AddSSHKey{}.CommandName(), func(ctx context.Context, c *AddSSHKey) (res Result, err error) {
		if d.Settings.DisableSSHKeyAdd {
			return Result{}, domain.Forbidden(sshkey.DetailNotAllowed)
		}
		if strings.TrimSpace(c.Public) == "" {
			return Result{}, domain.Invalid("key_public", sshkey.DetailKeyEmpty)
		}
		if err := sshkey.ValidateName(c.Name); err != nil {
			return Result{}, err
		}
		pub, err := ParseSSHKey(c.Public)
		if err != nil {
			return Result{}, err
		}
		meta := c.Meta()
		id, err := d.Repo.NextID(ctx, "sshkey", meta)
		if err != nil {
			return Result{}, err
		}
		claim := sshkey.ClaimKey(c.UserID, pub.Fingerprint)
		if err := d.claimSSHKey(ctx, claim, id, meta); err != nil {
			return Result{}, err
		}
		ar, err := d.Repo.Update(ctx, sshkey.Stream(id), meta,
			func() domain.Aggregate { return sshkey.New() },
			func(a domain.Aggregate) error { return a.(*sshkey.Key).Add(id, c.UserID, c.Name, pub, d.now()) })
		if err != nil {
			if rerr := d.Repo.Release(context.WithoutCancel(ctx), sshkey.ClaimNamespace, claim, id, meta); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return Result{}, err
		}
		return Result{Position: ar.Position, ID: id}, nil
	})
}

// claimSSHKey claims key for key id. A claim still held by a deleted key
// (its delete succeeded but freeing the claim did not) is taken over; a
// claim held by a live key, or by one still being added, is a conflict.
func (d *Deps) claimSSHKey(ctx context.Context, key string, id int64, meta eventMeta) error {
	err := d.Repo.Claim(ctx, sshkey.ClaimNamespace, key, id, sshkey.DetailDuplicate, meta)
	if !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	meta.Command += ":takeover"
	_, err = d.Repo.Update(ctx, unique.ClaimStream(sshkey.ClaimNamespace, key), meta,
		func() domain.Aggregate { return unique.NewClaim(key) },
		func(a domain.Aggregate) error {
			c := a.(*unique.Claim)
			if owner := c.Owner(); owner != 0 && owner != id {
				holder := sshkey.New()
				if _, err := d.Repo.Load(ctx, sshkey.Stream(owner), holder); err != nil {
					return err
				}
				if !holder.Deleted() {
					return domain.Conflict(sshkey.DetailDuplicate)
				}
				c.Release(owner)
			}
			return c.Take(id, sshkey.DetailDuplicate)
		})
	return err
}

// ParseSSHKey parses one authorized_keys line. Options, certificates,
// several keys, control characters, DSA and RSA below 2048 bits are
// refused. The result's Authorized line is normalised: type, base64 and
// the comment, if any.
func ParseSSHKey(text string) (sshkey.PublicKey, error) {
	invalid := domain.Invalid("key_public", sshkey.DetailInvalid)
	if len(text) > MaxSSHKeyLen {
		return sshkey.PublicKey{}, invalid
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil || len(options) > 0 || strings.TrimSpace(string(rest)) != "" {
		return sshkey.PublicKey{}, invalid
	}
	comment = strings.TrimSpace(comment)
	if strings.IndexFunc(comment, unicode.IsControl) >= 0 {
		return sshkey.PublicKey{}, invalid
	}
	if _, isCert := pub.(*ssh.Certificate); isCert {
		return sshkey.PublicKey{}, invalid
	}
	if weakSSHKey(pub) {
		return sshkey.PublicKey{}, domain.Invalid("key_public", sshkey.DetailWeak)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	if comment != "" {
		line += " " + comment
	}
	return sshkey.PublicKey{Algorithm: pub.Type(), Authorized: line, Fingerprint: ssh.FingerprintSHA256(pub)}, nil
}

func weakSSHKey(pub ssh.PublicKey) bool {
	if pub.Type() == "ssh-dss" {
		return true
	}
	if cp, ok := pub.(ssh.CryptoPublicKey); ok {
		if rk, ok := cp.CryptoPublicKey().(*rsa.PublicKey); ok {
			return rk.N.BitLen() < 2048
		}
	}
	return false
}
