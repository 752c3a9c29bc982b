package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// problems collects every validation failure, each prefixed by its key.
type problems []error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

// Validate reports every problem in c at once, joined with errors.Join, or
// nil. Each problem starts with the YAML key it concerns.
func (c *Config) Validate() error {
	var p problems
	c.validateServer(&p)
	c.validateStreams(&p)
	c.validateMail(&p)
	c.validateStore(&p)
	c.validateWebAuthn(&p)
	c.validateLimits(&p)
	return errors.Join(p...)
}

func (c *Config) validateServer(p *problems) {
	if c.AddrOverride != "" {
		checkHostPort(p, "addr", c.AddrOverride)
	} else {
		checkPort(p, "port", c.Port)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		p.add("data_dir", "must not be empty")
	}
	if (c.TLS.Key == "") != (c.TLS.Pub == "") {
		p.add("tls", "key and pub must be set together")
	}
	if c.Metrics.Listen != "" {
		checkHostPort(p, "metrics.listen", c.Metrics.Listen)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		p.add("log.level", "unknown level %q (want debug, info, warn or error)", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		p.add("log.format", "unknown format %q (want text or json)", c.Log.Format)
	}
}

func (c *Config) validateStreams(p *problems) {
	positive(p, "eventstream.auth_timeout", c.EventStream.AuthTimeout.Duration)
	positive(p, "eventstream.ping_interval", c.EventStream.PingInterval.Duration)
	positive(p, "eventstream.flush_interval", c.EventStream.FlushInterval.Duration)
	if c.EventStream.Buffer <= 0 {
		p.add("eventstream.buffer", "must be positive, got %d", c.EventStream.Buffer)
	}
	positive(p, "simplestream.images_lifetime", c.SimpleStream.ImagesLifetime.Duration)
	positive(p, "simplestream.deletion_interval", c.SimpleStream.DeletionInterval.Duration)
	if c.SimpleStream.MaxUpload <= 0 {
		p.add("simplestream.max_upload", "must be positive, got %d", c.SimpleStream.MaxUpload)
	}
}

func (c *Config) validateMail(p *problems) {
	m := c.Mail
	checkPort(p, "mail.port", m.Port)
	switch m.TLS {
	case MailTLSStartTLS, MailTLSImplicit:
	case MailTLSNone:
		if m.Host != "" && !isLoopback(m.Host) {
			p.add("mail.tls", "none is only allowed for a loopback host, not %q", m.Host)
		}
	default:
		p.add("mail.tls", "unknown mode %q (want starttls, implicit or none)", m.TLS)
	}
	if strings.ContainsAny(m.Host, "/: \r\n") {
		p.add("mail.host", "want a host name or IP address, got %q", m.Host)
	}
	if m.Password != "" && m.User == "" {
		p.add("mail.password", "is set but mail.user is not")
	}
	if from := c.MailFrom(); from != "" {
		if _, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
			p.add("mail.from", "invalid address %q", from)
		}
	} else if m.Host != "" {
		p.add("mail.from", "is required when mail.host is set (mail.user is not an address)")
	}
}

func (c *Config) validateStore(p *problems) {
	raw := c.EventStoreURL()
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		if strings.TrimPrefix(raw, "sqlite:") == "" {
			p.add("event_store.url", "sqlite: needs a path")
		}
	case strings.HasPrefix(raw, "esdb://"), strings.HasPrefix(raw, "esdb+discover://"):
		_, rest, _ := strings.Cut(raw, "://")
		hosts, _, _ := strings.Cut(rest, "?")
		hosts = strings.TrimSuffix(hosts, "/")
		if hosts == "" || strings.ContainsAny(hosts, "/ ") {
			p.add("event_store.url", "invalid EventStoreDB URL (want esdb://host:2113[,host:2113][?options])")
		}
	default:
		p.add("event_store.url", "unsupported scheme in %q (want sqlite:, esdb:// or esdb+discover://)", redactURL(raw))
	}
}

func (c *Config) validateWebAuthn(p *problems) {
	w := c.WebAuthn
	if w.RPID != "" && (strings.ContainsAny(w.RPID, "/: ") || strings.HasPrefix(w.RPID, ".")) {
		p.add("webauthn.rp_id", "want a bare domain such as example.com, got %q", w.RPID)
	}
	if w.Enabled && w.RPID == "" {
		p.add("webauthn.rp_id", "is required when webauthn is enabled")
	}
	positive(p, "webauthn.challenge_ttl", w.ChallengeTTL.Duration)
	if w.Enabled && len(w.RPOrigins) == 0 {
		p.add("webauthn.rp_origins", "at least one origin is required when webauthn is enabled")
	}
	for i, o := range w.RPOrigins {
		if err := checkOrigin(o, w.RPID); err != nil {
			p.add(fmt.Sprintf("webauthn.rp_origins[%d]", i), "%v", err)
		}
	}
	switch w.AttestationType {
	case "", "none", "indirect", "direct", "enterprise":
	default:
		p.add("webauthn.attestation_type", "unknown value %q (want none, indirect, direct or enterprise)", w.AttestationType)
	}
	switch w.AuthenticatorAttachment {
	case "", "platform", "cross-platform":
	default:
		p.add("webauthn.authenticator_attachment", "unknown value %q (want platform or cross-platform)", w.AuthenticatorAttachment)
	}
}

// checkOrigin accepts "scheme://host[:port]" whose host is rpID or a
// subdomain of it, as WebAuthn requires.
func checkOrigin(o, rpID string) error {
	u, err := url.Parse(o)
	if err != nil {
		return fmt.Errorf("invalid URL %q", o)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%q must start with https:// (or http:// for localhost)", o)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must be an origin: scheme://host[:port] only", o)
	}
	host := u.Hostname()
	if u.Scheme == "http" && host != "localhost" && !isLoopback(host) {
		return fmt.Errorf("%q must use https unless the host is localhost", o)
	}
	if rpID != "" && host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return fmt.Errorf("host %q is neither rp_id %q nor a subdomain of it", host, rpID)
	}
	return nil
}

func (c *Config) validateLimits(p *problems) {
	positive(p, "codes.lifetime", c.Codes.Lifetime.Duration)
	positive(p, "auth.login_token_lifetime", c.Auth.LoginTokenLifetime.Duration)
	if c.Auth.MaxFailedLogins < 0 {
		p.add("auth.max_failed_logins", "must not be negative, got %d", c.Auth.MaxFailedLogins)
	}
	positive(p, "auth.failed_login_window", c.Auth.FailedLoginWindow.Duration)
	if c.HTTP.MaxBody <= 0 {
		p.add("http.max_body", "must be positive, got %d", c.HTTP.MaxBody)
	}
	positive(p, "http.read_header_timeout", c.HTTP.ReadHeaderTimeout.Duration)
	if c.HTTP.WriteTimeout.Duration < 0 {
		p.add("http.write_timeout", "must not be negative, got %s", c.HTTP.WriteTimeout)
	}
	positive(p, "http.read_your_writes_timeout", c.HTTP.ReadYourWritesTimeout.Duration)
	positive(p, "http.command_timeout", c.HTTP.CommandTimeout.Duration)
	positive(p, "lxd.timeout", c.LXD.Timeout.Duration)
	positive(p, "lxd.lease_ttl", c.LXD.LeaseTTL.Duration)
}

func positive(p *problems, key string, d time.Duration) {
	if d <= 0 {
		p.add(key, "must be positive, got %s", d)
	}
}

func checkPort(p *problems, key string, port int) {
	if port < 1 || port > 65535 {
		p.add(key, "must be between 1 and 65535, got %d", port)
	}
}

func checkHostPort(p *problems, key, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.add(key, "want host:port, got %q", addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.add(key, "invalid port %q", port)
	}
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// redactURL hides a password in a URL before it goes into an error.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
