package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/config"
)

// originalYAML is a config.yaml as the original ui-vmm helm chart writes it.
const originalYAML = `
listen: 0.0.0.0
port: 7600
pretty_print: true
aes_key: 0123456789abcdef0123456789abcdef
disable_user_registration: true
disable_user_recovery: false
disable_user_password_change: true
disable_server_add: true
disable_ssh_key_add: true
disable_output_compression: true
eventstream:
  auth_timeout: 20
  ping_interval: 2
simplestream:
  enabled: false
  images_lifetime: 14
  deletion_interval: 12
tls:
  key: service.key
  pub: service.pem
jwt:
  key: private.key
  pub: public.pem
db:
  host: 127.0.0.1
  port: 5432
  name: uivmm
  user: uivmm
  pass: secret
mail:
  user: ops@example.com
  pass: app-password
  smtp: smtp.gmail.com
  port: 587
providers:
  map:
    user: [ldap]
  addr:
    ldap: 127.0.0.1:50051
    lxd: 127.0.0.1:50052
`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadOriginalFile(t *testing.T) {
	c, err := config.Load(writeFile(t, originalYAML))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := config.Default()
	want.Listen, want.Port, want.PrettyPrint = "0.0.0.0", 7600, true
	want.DisableUserRegistration, want.DisableUserPasswordChange = true, true
	want.DisableServerAdd, want.DisableSSHKeyAdd, want.DisableOutputCompression = true, true, true
	want.EventStream.AuthTimeout.Duration = 20 * time.Second
	want.EventStream.PingInterval.Duration = 2 * time.Second
	want.SimpleStream.Enabled = false
	want.SimpleStream.ImagesLifetime.Duration = 14 * 24 * time.Hour
	want.SimpleStream.DeletionInterval.Duration = 12 * time.Hour
	want.TLS = config.TLS{Key: "service.key", Pub: "service.pem"}
	want.Mail.User, want.Mail.Password, want.Mail.Host = "ops@example.com", "app-password", "smtp.gmail.com"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", c, want)
	}
	if got := c.Addr(); got != "0.0.0.0:7600" {
		t.Errorf("Addr() = %q", got)
	}
	if got := c.MailFrom(); got != "ops@example.com" {
		t.Errorf("MailFrom() = %q", got)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadOwnKeys(t *testing.T) {
	c, err := config.Parse([]byte(`
addr: "[::1]:8080"
data_dir: /var/lib/uivmm
eventstream: {auth_timeout: 1m30s, ping_interval: 500ms, buffer: 64, flush_interval: 35ms}
simplestream: {images_lifetime: 3d, deletion_interval: 30m, max_upload: 2GiB}
mail: {host: mail.example.com, port: 465, password: pw, user: u, from: "uivmm <noreply@example.com>", tls: implicit, outbox: /tmp/out}
event_store: {url: "esdb://localhost:2113?tls=false"}
webauthn:
  enabled: true
  rp_id: example.com
  rp_display_name: Example VMM
  rp_origins: [https://vmm.example.com, https://example.com:8443]
  attestation_type: direct
  authenticator_attachment: platform
metrics: {enabled: false, listen: "127.0.0.1:9100"}
codes: {lifetime: 1h}
auth: {login_token_lifetime: 12h, max_failed_logins: 3, failed_login_window: 5m}
http: {max_body: 512KiB, read_header_timeout: 5s, write_timeout: 1m, read_your_writes_timeout: 2s, command_timeout: 10s}
lxd: {timeout: 3s}
log: {level: debug, format: json}
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Addr", c.Addr(), "[::1]:8080"},
		{"EventStoreURL", c.EventStoreURL(), "esdb://localhost:2113?tls=false"},
		{"MailOutbox", c.MailOutbox(), "/tmp/out"},
		{"auth_timeout", c.EventStream.AuthTimeout.Duration, 90 * time.Second},
		{"ping_interval", c.EventStream.PingInterval.Duration, 500 * time.Millisecond},
		{"buffer", c.EventStream.Buffer, 64},
		{"flush_interval", c.EventStream.FlushInterval.Duration, 35 * time.Millisecond},
		{"images_lifetime", c.SimpleStream.ImagesLifetime.Duration, 72 * time.Hour},
		{"deletion_interval", c.SimpleStream.DeletionInterval.Duration, 30 * time.Minute},
		{"max_upload", c.SimpleStream.MaxUpload, config.Bytes(2 << 30)},
		{"mail.tls", c.Mail.TLS, "implicit"},
		{"mail.port", c.Mail.Port, 465},
		{"rp_origins", len(c.WebAuthn.RPOrigins), 2},
		{"metrics.enabled", c.Metrics.Enabled, false},
		{"codes.lifetime", c.Codes.Lifetime.Duration, time.Hour},
		{"max_failed_logins", c.Auth.MaxFailedLogins, 3},
		{"max_body", c.HTTP.MaxBody, config.Bytes(512 << 10)},
		{"write_timeout", c.HTTP.WriteTimeout.Duration, time.Minute},
		{"lxd.timeout", c.LXD.Timeout.Duration, 3 * time.Second},
		{"log.format", c.Log.Format, "json"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadDefaults(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "comment only": "# nothing\n", "null": "~\n"} {
		t.Run(name, func(t *testing.T) {
			c, err := config.Load(writeFile(t, content))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(c, config.Default()) {
				t.Errorf("Load = %+v, want Default()", c)
			}
		})
	}
	c, err := config.Load("")
	if err != nil || !reflect.DeepEqual(c, config.Default()) {
		t.Errorf(`Load("") = %+v, %v; want Default()`, c, err)
	}
	d := config.Default()
	if d.Addr() != "127.0.0.1:7500" || d.EventStoreURL() != "sqlite:data/events.db" ||
		d.MailOutbox() != "data/outbox" || !d.SimpleStream.Enabled || !d.Metrics.Enabled ||
		d.SimpleStream.MaxUpload != 4<<30 || d.HTTP.MaxBody != 1<<20 || d.Mail.TLS != "starttls" {
		t.Errorf("Default() = %+v", d)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must appear in the error
	}{
		{"unknown top-level key", "lisen: 0.0.0.0\n", []string{`line 1: unknown key "lisen"`}},
		{"unknown nested key", "mail:\n  hots: x\n", []string{`line 2: unknown key "mail.hots"`}},
		{"every unknown key at once", "foo: 1\nhttp:\n  max_bdy: 1\nwebauthn: {rp_idd: x}\n",
			[]string{`"foo"`, `"http.max_bdy"`, `"webauthn.rp_idd"`}},
		{"every problem in the file at once",
			"bogus: 1\nmail: {smtp: a, host: b}\nlxd: {timeout: soon}\nhttp: {max_body: lots, command_timeout: 5}\n",
			[]string{`unknown key "bogus"`, `"mail.smtp"`, `invalid duration "soon"`, `invalid size "lots"`, `"5" has no unit`}},
		{"alias and key both set", "mail: {smtp: a, host: b}\n", []string{`"mail.smtp" is the original name of "mail.host"`}},
		{"password alias twice", "mail: {pass: a, password: b}\n", []string{`"mail.pass"`}},
		{"bad duration", "lxd: {timeout: soon}\n", []string{`invalid duration "soon"`}},
		{"integer without unit", "codes: {lifetime: 24}\n", []string{`"24" has no unit`}},
		{"bad seconds", "eventstream: {auth_timeout: ten}\n", []string{`invalid duration "ten"`}},
		{"bad days", "simplestream: {images_lifetime: xd}\n", []string{`invalid number of days "xd"`}},
		{"bad size", "http: {max_body: lots}\n", []string{`invalid size "lots"`}},
		{"wrong type", "port: [1]\n", []string{"cannot unmarshal"}},
		{"not a mapping", "- a\n- b\n", []string{"top level must be a mapping"}},
		{"syntax error", "port: [\n", []string{"yaml:"}},
		{"duplicate key", "port: 1\nport: 2\n", []string{"already defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeFile(t, tt.yaml))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadIgnoresOriginalKeysOnlyAtTopLevel(t *testing.T) {
	if _, err := config.Parse([]byte("jwt: {anything: [1, 2]}\ndb: {whatever: x}\n")); err != nil {
		t.Errorf("ignored sections: %v", err)
	}
	if _, err := config.Parse([]byte("mail: {jwt: x}\n")); err == nil {
		t.Error("mail.jwt accepted, want unknown key")
	}
}

func TestLoadAnchorsAndMerge(t *testing.T) {
	c, err := config.Parse([]byte("x-base: &t {timeout: 4s}\nlxd: *t\n"))
	if err == nil {
		t.Fatalf("x-base accepted: %+v", c)
	}
	c, err = config.Parse([]byte("http:\n  <<: {command_timeout: 7s}\n  max_body: 10\n"))
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	if c.HTTP.CommandTimeout.Duration != 7*time.Second || c.HTTP.MaxBody != 10 {
		t.Errorf("merge decoded %+v", c.HTTP)
	}
	if _, err := config.Parse([]byte("http:\n  <<: {bogus: 1}\n")); err == nil {
		t.Error("unknown key inside merge accepted")
	}
}

func TestResolvePath(t *testing.T) {
	if got := config.ResolvePath("/x/y.yaml"); got != "/x/y.yaml" {
		t.Errorf("ResolvePath(flag) = %q", got)
	}
	want := ""
	if _, err := os.Stat(config.DefaultPath); err == nil {
		want = config.DefaultPath
	}
	if got := config.ResolvePath(""); got != want {
		t.Errorf(`ResolvePath("") = %q, want %q`, got, want)
	}
}
