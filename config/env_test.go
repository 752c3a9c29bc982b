package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/config"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(c config.Config) bool
	}{
		{"addr", map[string]string{"UIVMM_ADDR": ":9999"}, func(c config.Config) bool { return c.Addr() == ":9999" }},
		{"listen and port", map[string]string{"UIVMM_LISTEN": "0.0.0.0", "UIVMM_PORT": "80"},
			func(c config.Config) bool { return c.Addr() == "0.0.0.0:80" }},
		{"data dir moves derived paths", map[string]string{"UIVMM_DATA_DIR": "/srv"}, func(c config.Config) bool {
			return c.EventStoreURL() == "sqlite:/srv/events.db" && c.MailOutbox() == "/srv/outbox"
		}},
		{"event store", map[string]string{"UIVMM_EVENT_STORE": "esdb://h:2113"},
			func(c config.Config) bool { return c.EventStoreURL() == "esdb://h:2113" }},
		{"mail", map[string]string{
			"UIVMM_MAIL_OUTBOX": "/o", "UIVMM_MAIL_HOST": "smtp.x", "UIVMM_MAIL_PORT": "465",
			"UIVMM_MAIL_USER": "u", "UIVMM_MAIL_PASSWORD": "p", "UIVMM_MAIL_FROM": "f@x", "UIVMM_MAIL_TLS": "implicit",
		}, func(c config.Config) bool {
			return c.Mail == config.Mail{Host: "smtp.x", Port: 465, User: "u", Password: "p", From: "f@x", TLS: "implicit", Outbox: "/o"}
		}},
		{"webauthn", map[string]string{
			"UIVMM_WEBAUTHN_ENABLED": "true", "UIVMM_WEBAUTHN_RP_ID": "example.com",
			"UIVMM_WEBAUTHN_RP_ORIGINS": " https://a.example.com, ,https://example.com ", "UIVMM_WEBAUTHN_RP_DISPLAY_NAME": "VMM",
		}, func(c config.Config) bool {
			return c.WebAuthn.Enabled && c.WebAuthn.RPID == "example.com" && c.WebAuthn.RPDisplayName == "VMM" &&
				slices.Equal(c.WebAuthn.RPOrigins, []string{"https://a.example.com", "https://example.com"})
		}},
		{"switches", map[string]string{
			"UIVMM_PRETTY_PRINT": "1", "UIVMM_DISABLE_USER_REGISTRATION": "true", "UIVMM_DISABLE_USER_RECOVERY": "TRUE",
			"UIVMM_DISABLE_USER_PASSWORD_CHANGE": "t", "UIVMM_DISABLE_SERVER_ADD": "true",
			"UIVMM_DISABLE_SSH_KEY_ADD": "true", "UIVMM_DISABLE_OUTPUT_COMPRESSION": "true",
			"UIVMM_SIMPLESTREAM_ENABLED": "false", "UIVMM_METRICS_ENABLED": "0",
		}, func(c config.Config) bool {
			return c.PrettyPrint && c.DisableUserRegistration && c.DisableUserRecovery && c.DisableUserPasswordChange &&
				c.DisableServerAdd && c.DisableSSHKeyAdd && c.DisableOutputCompression &&
				!c.SimpleStream.Enabled && !c.Metrics.Enabled
		}},
		{"log and metrics", map[string]string{"UIVMM_LOG_LEVEL": "debug", "UIVMM_LOG_FORMAT": "json", "UIVMM_METRICS_LISTEN": ":9100"},
			func(c config.Config) bool {
				return c.Log.Level == "debug" && c.Log.Format == "json" && c.Metrics.Listen == ":9100"
			}},
		{"empty means unset", map[string]string{"UIVMM_DATA_DIR": "", "UIVMM_PORT": ""},
			func(c config.Config) bool { return reflect.DeepEqual(c, config.Default()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			if err := c.ApplyEnv(envFrom(tt.env)); err != nil {
				t.Fatalf("ApplyEnv: %v", err)
			}
			if !tt.check(c) {
				t.Errorf("ApplyEnv(%v) gave %+v", tt.env, c)
			}
		})
	}
}

func TestApplyEnvReportsEveryBadValue(t *testing.T) {
	c := config.Default()
	err := c.ApplyEnv(envFrom(map[string]string{
		"UIVMM_PORT": "eighty", "UIVMM_MAIL_PORT": "x", "UIVMM_PRETTY_PRINT": "yes please", "UIVMM_DATA_DIR": "/ok",
	}))
	for _, w := range []string{"UIVMM_PORT", "UIVMM_MAIL_PORT", "UIVMM_PRETTY_PRINT"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %s", err, w)
		}
	}
	if c.DataDir != "/ok" {
		t.Errorf("good variable not applied: data_dir = %q", c.DataDir)
	}
}

func TestEnvNames(t *testing.T) {
	names := config.EnvNames()
	for _, n := range names {
		if !strings.HasPrefix(n, config.EnvPrefix) {
			t.Errorf("%s lacks the prefix", n)
		}
	}
	if !slices.Contains(names, "UIVMM_WEBAUTHN_RP_ORIGINS") {
		t.Error("UIVMM_WEBAUTHN_RP_ORIGINS missing")
	}
}

// TestPrecedence runs the documented start-up order: flags beat the
// environment, which beats the file, which beats the defaults.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte("addr: file:1\ndata_dir: /file\nmail: {outbox: /file-out}\nport: 1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	fs := flag.NewFlagSet("uivmm", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	config.BindFlags(fs, &cfg)
	if err := fs.Parse([]string{"--config", path, "--addr", "flag:2", "--event-store", "sqlite:/flag.db"}); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load(config.ResolvePath(*cfgPath))
	if err != nil {
		t.Fatal(err)
	}
	cfg = loaded
	if err := cfg.ApplyEnv(envFrom(map[string]string{"UIVMM_ADDR": "env:3", "UIVMM_DATA_DIR": "/env"})); err != nil {
		t.Fatal(err)
	}
	if err := config.ApplyFlags(fs); err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Addr(), cfg.DataDir, cfg.EventStoreURL(), cfg.MailOutbox()}
	want := []string{"flag:2", "/env", "sqlite:/flag.db", "/file-out"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if cfg.Port != 1234 {
		t.Errorf("port = %d, want 1234 from the file", cfg.Port)
	}
}
