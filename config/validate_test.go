package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/config"
)

func TestDefaultIsValid(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *config.Config)
		want   string // "" means valid
	}{
		{"port too large", func(c *config.Config) { c.Port = 70000 }, "port: must be between 1 and 65535, got 70000"},
		{"addr wins over port", func(c *config.Config) { c.Port = -1; c.AddrOverride = ":9000" }, ""},
		{"bad addr", func(c *config.Config) { c.AddrOverride = "localhost" }, `addr: want host:port, got "localhost"`},
		{"bad addr port", func(c *config.Config) { c.AddrOverride = "h:http" }, `addr: invalid port "http"`},
		{"empty data dir", func(c *config.Config) { c.DataDir = " " }, "data_dir: must not be empty"},
		{"tls key without pub", func(c *config.Config) { c.TLS.Key = "k.pem" }, "tls: key and pub must be set together"},
		{"negative ping", func(c *config.Config) { c.EventStream.PingInterval.Duration = -time.Second }, "eventstream.ping_interval: must be positive"},
		{"bad mail tls", func(c *config.Config) { c.Mail.TLS = "ssl" }, `mail.tls: unknown mode "ssl"`},
		{"mail tls none remote", func(c *config.Config) {
			c.Mail.Host, c.Mail.From, c.Mail.TLS = "smtp.example.com", "a@example.com", "none"
		}, "mail.tls: none is only allowed for a loopback host"},
		{"mail tls none loopback", func(c *config.Config) {
			c.Mail.Host, c.Mail.From, c.Mail.TLS = "127.0.0.1", "a@example.com", "none"
		}, ""},
		{"mail host with port", func(c *config.Config) {
			c.Mail.Host, c.Mail.From = "smtp.example.com:25", "a@example.com"
		}, "mail.host: want a host name"},
		{"mail without from", func(c *config.Config) { c.Mail.Host, c.Mail.User = "smtp.example.com", "ops" }, "mail.from: is required"},
		{"mail bad from", func(c *config.Config) { c.Mail.From = "not an address" }, "mail.from: invalid address"},
		{"mail from header injection", func(c *config.Config) { c.Mail.From = "a@example.com\r\nBcc: x@y.z" }, "mail.from: invalid address"},
		{"password without user", func(c *config.Config) { c.Mail.Password = "pw" }, "mail.password: is set but mail.user is not"},
		{"event store postgres", func(c *config.Config) { c.EventStore.URL = "postgres://u:secret@h/db" }, "event_store.url: unsupported scheme"},
		{"event store empty sqlite", func(c *config.Config) { c.EventStore.URL = "sqlite:" }, "event_store.url: sqlite: needs a path"},
		{"event store esdb no host", func(c *config.Config) { c.EventStore.URL = "esdb://" }, "event_store.url: invalid EventStoreDB URL"},
		{"event store esdb cluster", func(c *config.Config) {
			c.EventStore.URL = "esdb+discover://admin:changeit@a:2113,b:2113?tls=true"
		}, ""},
		{"webauthn enabled without rp", func(c *config.Config) { c.WebAuthn.Enabled = true }, "webauthn.rp_id: is required"},
		{"rp origin not a URL", func(c *config.Config) { c.WebAuthn.RPOrigins = []string{"vmm.example.com"} }, "webauthn.rp_origins[0]"},
		{"rp origin with path", func(c *config.Config) { c.WebAuthn.RPOrigins = []string{"https://a.example.com/app"} }, "must be an origin"},
		{"rp origin plain http", func(c *config.Config) { c.WebAuthn.RPOrigins = []string{"http://a.example.com"} }, "must use https"},
		{"rp origin http localhost", func(c *config.Config) { c.WebAuthn.RPOrigins = []string{"http://localhost:7500"} }, ""},
		{"rp origin outside rp id", func(c *config.Config) {
			c.WebAuthn.RPID, c.WebAuthn.RPOrigins = "example.com", []string{"https://evil-example.com"}
		}, "neither rp_id"},
		{"bad attestation", func(c *config.Config) { c.WebAuthn.AttestationType = "full" }, "webauthn.attestation_type"},
		{"bad attachment", func(c *config.Config) { c.WebAuthn.AuthenticatorAttachment = "usb" }, "webauthn.authenticator_attachment"},
		{"bad metrics listen", func(c *config.Config) { c.Metrics.Listen = "9100" }, "metrics.listen"},
		{"negative max failed logins", func(c *config.Config) { c.Auth.MaxFailedLogins = -1 }, "auth.max_failed_logins"},
		{"zero max body", func(c *config.Config) { c.HTTP.MaxBody = 0 }, "http.max_body: must be positive"},
		{"negative write timeout", func(c *config.Config) { c.HTTP.WriteTimeout.Duration = -1 }, "http.write_timeout: must not be negative"},
		{"bad log level", func(c *config.Config) { c.Log.Level = "loud" }, `log.level: unknown level "loud"`},
		{"bad log format", func(c *config.Config) { c.Log.Format = "xml" }, `log.format: unknown format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.modify(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate() = nil, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	c, err := config.Parse([]byte(`
port: 0
data_dir: /d
eventstream: {auth_timeout: -5, ping_interval: 1, buffer: -1}
simplestream: {images_lifetime: -1, max_upload: -10}
mail: {port: 99999, tls: smtps, password: p}
tls: {pub: service.pem}
event_store: {url: "mysql://x"}
webauthn: {enabled: true, rp_origins: ["ftp://x"]}
codes: {lifetime: -1h}
http: {command_timeout: -1s}
lxd: {timeout: -2s}
log: {format: yaml}
`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	want := []string{
		"eventstream.auth_timeout", "eventstream.buffer", "simplestream.images_lifetime",
		"simplestream.max_upload", "mail.port", "mail.tls", "mail.password", "tls:",
		"event_store.url", "webauthn.rp_id", "webauthn.rp_origins[0]", "codes.lifetime",
		"http.command_timeout", "lxd.timeout", "log.format",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate() error %T is not an errors.Join", err)
	}
	if got := len(joined.Unwrap()); got != len(want) {
		t.Errorf("%d problems, want %d:\n%v", got, len(want), err)
	}
	// port: 0 means "the default", so it is not a problem.
	if strings.Contains(err.Error(), "port: must") && !strings.Contains(err.Error(), "mail.port") {
		t.Errorf("port 0 reported: %v", err)
	}
}

func TestRedacted(t *testing.T) {
	c := config.Default()
	c.Mail.Password = "hunter2"
	c.EventStore.URL = "esdb://admin:changeit@localhost:2113"
	r := c.Redacted()
	if strings.Contains(r.Mail.Password+r.EventStore.URL, "hunter2") || strings.Contains(r.EventStore.URL, "changeit") {
		t.Errorf("Redacted leaks: %+v", r)
	}
	if c.Mail.Password != "hunter2" {
		t.Error("Redacted changed the original")
	}
}
