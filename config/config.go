package config

import (
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultPath is where the original ui-vmm (and its helm chart) keeps the
// configuration file.
const DefaultPath = "/etc/ui-vmm/config.yaml"

// Mail TLS modes accepted in mail.tls.
const (
	MailTLSStartTLS = "starttls" // plain connect, then a mandatory STARTTLS
	MailTLSImplicit = "implicit" // TLS from the first byte (port 465)
	MailTLSNone     = "none"     // no TLS; loopback hosts only
)

// Config is uivmm's whole configuration: the original ui-vmm config.yaml keys
// plus uivmm's own. The zero value is not usable; start from Default or Load.
//
// Precedence is defaults < file (Load) < environment (ApplyEnv) < flags
// (BindFlags, ApplyFlags). Call Validate once all sources are applied.
type Config struct {
	Listen string `yaml:"listen"` // listen host of the original; default 127.0.0.1
	Port   int    `yaml:"port"`   // listen port of the original; default 7500
	// AddrOverride ("host:port") wins over Listen and Port when set.
	AddrOverride string `yaml:"addr"`
	DataDir      string `yaml:"data_dir"` // default ./data

	PrettyPrint               bool `yaml:"pretty_print"`
	DisableUserRegistration   bool `yaml:"disable_user_registration"`
	DisableUserRecovery       bool `yaml:"disable_user_recovery"`
	DisableUserPasswordChange bool `yaml:"disable_user_password_change"`
	DisableServerAdd          bool `yaml:"disable_server_add"`
	DisableSSHKeyAdd          bool `yaml:"disable_ssh_key_add"`
	DisableOutputCompression  bool `yaml:"disable_output_compression"`

	EventStream  EventStream  `yaml:"eventstream"`
	SimpleStream SimpleStream `yaml:"simplestream"`
	Mail         Mail         `yaml:"mail"`
	TLS          TLS          `yaml:"tls"`
	EventStore   EventStore   `yaml:"event_store"`
	WebAuthn     WebAuthn     `yaml:"webauthn"`
	Metrics      Metrics      `yaml:"metrics"`
	Codes        Codes        `yaml:"codes"`
	Auth         Auth         `yaml:"auth"`
	HTTP         HTTP         `yaml:"http"`
	LXD          LXD          `yaml:"lxd"`
	Log          Log          `yaml:"log"`
}

// EventStream configures the SSE/WebSocket event stream.
type EventStream struct {
	AuthTimeout  Seconds `yaml:"auth_timeout"`  // time to authenticate; default 10s
	PingInterval Seconds `yaml:"ping_interval"` // keep-alive period; default 1s
	Buffer       int     `yaml:"buffer"`        // per-subscriber queue; default 1024 (about a second at 1,000 events/s)
	// FlushInterval is the tick a busy stream is written on: messages
	// that arrive meanwhile go out together in one write. Default 30ms;
	// shorter lowers latency and costs more CPU per message.
	FlushInterval Seconds `yaml:"flush_interval"`
}

// SimpleStream configures the built-in simplestreams image server.
type SimpleStream struct {
	Enabled          bool  `yaml:"enabled"`           // default true
	ImagesLifetime   Days  `yaml:"images_lifetime"`   // retention; default 7 days
	DeletionInterval Hours `yaml:"deletion_interval"` // cleanup period; default 6h
	MaxUpload        Bytes `yaml:"max_upload"`        // default 4GiB
}

// Mail configures outgoing mail. With Host empty, mail is written to the
// outbox directory instead of being sent. The original's keys "smtp" and
// "pass" are accepted by Load as aliases of "host" and "password".
type Mail struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"` // default 587
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	From     string `yaml:"from"` // default: User when it is an address
	TLS      string `yaml:"tls"`  // MailTLSStartTLS (default), MailTLSImplicit, MailTLSNone
	Outbox   string `yaml:"outbox"`
}

// TLS names the HTTPS key pair. Both or neither must be set.
type TLS struct {
	Key string `yaml:"key"`
	Pub string `yaml:"pub"`
}

// EventStore selects the event store: "sqlite:<path>", "esdb://..." or
// "esdb+discover://...". Empty means sqlite:<data_dir>/events.db.
type EventStore struct {
	URL string `yaml:"url"`
}

// WebAuthn configures passkeys. RPOrigins are full origins
// ("https://vmm.example.com"); each must be RPID or a subdomain of it.
type WebAuthn struct {
	Enabled                 bool     `yaml:"enabled"`
	RPID                    string   `yaml:"rp_id"`
	RPDisplayName           string   `yaml:"rp_display_name"` // default "uivmm"
	RPOrigins               []string `yaml:"rp_origins"`
	AttestationType         string   `yaml:"attestation_type"`         // "", none, indirect, direct, enterprise
	AuthenticatorAttachment string   `yaml:"authenticator_attachment"` // "", platform, cross-platform
	ChallengeTTL            Duration `yaml:"challenge_ttl"`            // life of a pending challenge; default 5m
}

// Metrics configures the Prometheus endpoint. An empty Listen serves it on
// the main listener.
type Metrics struct {
	Enabled bool   `yaml:"enabled"` // default true
	Listen  string `yaml:"listen"`
}

// Codes configures the one-time codes sent by mail.
type Codes struct {
	Lifetime Duration `yaml:"lifetime"` // default 24h
}

// Auth configures login tokens and the failed-login lockout.
type Auth struct {
	LoginTokenLifetime Duration `yaml:"login_token_lifetime"` // default 24h
	MaxFailedLogins    int      `yaml:"max_failed_logins"`    // default 5
	FailedLoginWindow  Duration `yaml:"failed_login_window"`  // default 15m
}

// HTTP configures the API server. A zero WriteTimeout means none, which the
// long-lived event stream needs.
type HTTP struct {
	MaxBody               Bytes    `yaml:"max_body"`                 // default 1MiB
	ReadHeaderTimeout     Duration `yaml:"read_header_timeout"`      // default 10s
	WriteTimeout          Duration `yaml:"write_timeout"`            // default 0 (none)
	ReadYourWritesTimeout Duration `yaml:"read_your_writes_timeout"` // default 5s
	CommandTimeout        Duration `yaml:"command_timeout"`          // default 30s
}

// LXD configures calls to LXD hosts.
type LXD struct {
	Timeout Duration `yaml:"timeout"` // default 10s
	// LeaseTTL is the lease of the process that runs the LXD reactors when
	// several share one event store; a crashed holder's work is taken over
	// within it. Default 30s.
	LeaseTTL Duration `yaml:"lease_ttl"`
}

// Log configures log/slog.
type Log struct {
	Level  string `yaml:"level"`  // debug, info (default), warn, error
	Format string `yaml:"format"` // text (default) or json
}

// Default returns the configuration used when no file, variable or flag says
// otherwise.
func Default() Config {
	var c Config
	c.setDefaults()
	c.SimpleStream.Enabled = true
	c.Metrics.Enabled = true
	return c
}

// setDefaults fills every zero-valued setting that has a default. Booleans
// are left alone (false is a choice); Default sets the true ones.
func (c *Config) setDefaults() {
	setZero(&c.Listen, "127.0.0.1")
	setZero(&c.Port, 7500)
	setZero(&c.DataDir, "./data")
	setZero(&c.EventStream.AuthTimeout.Duration, 10*time.Second)
	setZero(&c.EventStream.PingInterval.Duration, time.Second)
	setZero(&c.EventStream.Buffer, 1024)
	setZero(&c.EventStream.FlushInterval.Duration, 30*time.Millisecond)
	setZero(&c.SimpleStream.ImagesLifetime.Duration, 7*day)
	setZero(&c.SimpleStream.DeletionInterval.Duration, 6*time.Hour)
	setZero(&c.SimpleStream.MaxUpload, 4<<30)
	setZero(&c.Mail.Port, 587)
	setZero(&c.Mail.TLS, MailTLSStartTLS)
	setZero(&c.WebAuthn.RPDisplayName, "uivmm")
	setZero(&c.WebAuthn.ChallengeTTL.Duration, 5*time.Minute)
	setZero(&c.Codes.Lifetime.Duration, 24*time.Hour)
	setZero(&c.Auth.LoginTokenLifetime.Duration, 24*time.Hour)
	setZero(&c.Auth.MaxFailedLogins, 5)
	setZero(&c.Auth.FailedLoginWindow.Duration, 15*time.Minute)
	setZero(&c.HTTP.MaxBody, 1<<20)
	setZero(&c.HTTP.ReadHeaderTimeout.Duration, 10*time.Second)
	setZero(&c.HTTP.ReadYourWritesTimeout.Duration, 5*time.Second)
	setZero(&c.HTTP.CommandTimeout.Duration, 30*time.Second)
	setZero(&c.LXD.Timeout.Duration, 10*time.Second)
	setZero(&c.LXD.LeaseTTL.Duration, 30*time.Second)
	setZero(&c.Log.Level, "info")
	setZero(&c.Log.Format, "text")
}

func setZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Addr is the HTTP listen address: AddrOverride when set, else Listen:Port.
func (c *Config) Addr() string {
	if c.AddrOverride != "" {
		return c.AddrOverride
	}
	return net.JoinHostPort(c.Listen, strconv.Itoa(c.Port))
}

// MailOutbox is the directory for unsent mail: Mail.Outbox, else
// <data_dir>/outbox.
func (c *Config) MailOutbox() string {
	if c.Mail.Outbox != "" {
		return c.Mail.Outbox
	}
	return filepath.Join(c.DataDir, "outbox")
}

// MailFrom is the sender address: Mail.From, else Mail.User when it looks
// like an address (as with the original's Gmail set-up), else "".
func (c *Config) MailFrom() string {
	if c.Mail.From != "" {
		return c.Mail.From
	}
	if strings.Contains(c.Mail.User, "@") {
		return c.Mail.User
	}
	return ""
}

// EventStoreURL is the event store URL: EventStore.URL, else
// sqlite:<data_dir>/events.db.
func (c *Config) EventStoreURL() string {
	if c.EventStore.URL != "" {
		return c.EventStore.URL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "events.db")
}

// SlogLevel is Log.Level as a slog.Level; unknown levels give slog.LevelInfo
// (Validate reports them).
func (c *Config) SlogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Redacted returns a copy safe to print or log: secrets are replaced.
func (c *Config) Redacted() Config {
	r := *c
	if r.Mail.Password != "" {
		r.Mail.Password = "REDACTED"
	}
	if u, err := url.Parse(r.EventStore.URL); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
			r.EventStore.URL = u.String()
		}
	}
	r.WebAuthn.RPOrigins = append([]string(nil), r.WebAuthn.RPOrigins...)
	return r
}
