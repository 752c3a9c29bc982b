package passkeytest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/passkey/softauthn"
)

// TestRPIDAloneEnablesPasskeys: an rp_id is enough (as in the original);
// the origin then defaults to https://<rp_id>.
func TestRPIDAloneEnablesPasskeys(t *testing.T) {
	env := apptest.Start(t, func(c *config.Config) { c.WebAuthn.RPID = rpID })
	if v := mustOK(env, "config.get", "", map[string]any{}).Attrs()["webauth_enabled"]; v != true {
		t.Fatalf("webauth_enabled = %v", v)
	}
	_, tok := env.AddUser("olga", 4)
	a := softauthn.New(origin)
	addKey(t, env, tok, "olga", a)
	body, _ := loginBody(t, env, "olga", a)
	mustOK(env, "user.assertionVerify", "", body)
}

// TestBadRelyingPartyStopsTheStart: origins are checked when the app is
// wired, not at the first login.
func TestBadRelyingPartyStopsTheStart(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.WebAuthn.Enabled, cfg.WebAuthn.RPID, cfg.WebAuthn.RPOrigins = true, rpID, []string{"ftp://vmm.example.com"}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		a.Close()
		t.Fatal("app started with an ftp origin")
	}
	if !strings.Contains(err.Error(), "webauthn") {
		t.Fatalf("error %v does not name webauthn", err)
	}
}
