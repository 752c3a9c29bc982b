package commands_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/sshkey"
)

func TestParseSSHKey(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	bare := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	signer, _ := ssh.NewSignerFromKey(priv)
	cert := &ssh.Certificate{Key: sp, CertType: ssh.UserCert, ValidPrincipals: []string{"alice"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	certLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(cert)))

	for _, tc := range []struct {
		name, in, want, detail string
	}{
		{name: "bare", in: bare, want: bare},
		{name: "comment kept", in: bare + " alice@laptop", want: bare + " alice@laptop"},
		{name: "spaces normalised", in: "  " + strings.Replace(bare, " ", "   ", 1) + "  alice  \n", want: bare + " alice"},
		{name: "leading comment line", in: "# my key\n" + bare, want: bare},
		{name: "options", in: `no-pty ` + bare, detail: sshkey.DetailInvalid},
		{name: "two keys", in: bare + "\n" + bare, detail: sshkey.DetailInvalid},
		{name: "certificate", in: certLine, detail: sshkey.DetailInvalid},
		{name: "truncated", in: bare[:len(bare)-8], detail: sshkey.DetailInvalid},
		{name: "huge", in: bare + " " + strings.Repeat("c", commands.MaxSSHKeyLen), detail: sshkey.DetailInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := commands.ParseSSHKey(tc.in)
			if tc.detail != "" {
				de, ok := domain.As(err)
				if !ok || de.Kind != domain.KindInvalid || de.Detail != tc.detail {
					t.Fatalf("error %v, want invalid %q", err, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Authorized != tc.want || got.Algorithm != ssh.KeyAlgoED25519 || got.Fingerprint != ssh.FingerprintSHA256(sp) {
				t.Fatalf("parsed %+v, want line %q", got, tc.want)
			}
		})
	}
}
