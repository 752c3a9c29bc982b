package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how SMTPSender protects the connection.
type TLSMode string

const (
	// TLSStartTLS connects in plain text and then requires STARTTLS: a server
	// that does not offer it is refused (ErrStartTLSUnsupported).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (usually port 465).
	TLSImplicit TLSMode = "implicit"
	// TLSNone sends in plain text; only allowed to a loopback host.
	TLSNone TLSMode = "none"
)

var (
	// ErrStartTLSUnsupported is returned in TLSStartTLS mode when the server
	// does not offer STARTTLS. uivmm never falls back to plain text.
	ErrStartTLSUnsupported = errors.New("server does not offer STARTTLS")
	// ErrAuthUnsupported is returned when a user is configured but the server
	// does not offer AUTH.
	ErrAuthUnsupported = errors.New("server does not offer AUTH")
)

// SMTPConfig configures an SMTPSender.
type SMTPConfig struct {
	Host     string  // relay host name or IP, without port
	Port     int     // default 587
	User     string  // AUTH PLAIN when set
	Password string  // sent only over TLS, or to a loopback host
	From     string  // envelope and header sender; required
	TLS      TLSMode // default TLSStartTLS

	LocalName string        // EHLO name; default "localhost"
	Timeout   time.Duration // bound on one whole delivery; default 30s

	// RootCAs verifies the server; nil means the system roots.
	RootCAs *x509.CertPool
	// TLSConfig, when set, is the base client TLS configuration (cloned;
	// ServerName defaults to Host). InsecureSkipVerify is refused.
	TLSConfig *tls.Config
}

func (c *SMTPConfig) setDefaults() {
	if c.Port == 0 {
		c.Port = 587
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.LocalName == "" {
		c.LocalName = "localhost"
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
}

// Validate reports every problem in c, joined. Zero values that have a
// default are not problems.
func (c SMTPConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if c.Host == "" || strings.ContainsAny(c.Host, "/: \t\r\n") && net.ParseIP(c.Host) == nil {
		errs = append(errs, fmt.Errorf("host: want a host name or IP address, got %q", c.Host))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port: must be between 1 and 65535, got %d", c.Port))
	}
	switch c.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(c.Host) {
			errs = append(errs, fmt.Errorf("tls: none is only allowed for a loopback host, not %q", c.Host))
		}
	default:
		errs = append(errs, fmt.Errorf("tls: unknown mode %q", c.TLS))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("password: set without a user"))
	}
	if err := checkHeader("From", c.From); err != nil {
		errs = append(errs, err)
	} else if _, err := parseAddress("From", c.From); err != nil {
		errs = append(errs, err)
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	if c.TLSConfig != nil && c.TLSConfig.InsecureSkipVerify {
		errs = append(errs, errors.New("tls config: InsecureSkipVerify is not allowed"))
	}
	return errors.Join(errs...)
}

// SMTPSender is a Sender that submits each message over its own SMTP
// connection. It is safe for concurrent use.
type SMTPSender struct {
	cfg     SMTPConfig
	invalid error // from Validate; returned by every Send
}

// NewSMTP returns a sender for cfg. An invalid cfg is not fatal here: every
// Send returns the Validate error, so call cfg.Validate at start-up.
func NewSMTP(cfg SMTPConfig) *SMTPSender {
	cfg.setDefaults()
	return &SMTPSender{cfg: cfg, invalid: cfg.Validate()}
}

func (s *SMTPSender) addr() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
}

// Send delivers m within ctx and the configured Timeout. It returns nil only
// once the server accepted the message (250 after DATA). Errors carry the
// server's reply (a *textproto.Error) but never the message.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if s.invalid != nil {
		return fmt.Errorf("smtp config: %w", s.invalid)
	}
	msg, err := compose(m, s.cfg.From, time.Now())
	if err != nil {
		return fmt.Errorf("composing mail: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	raw, conn, err := s.dial(ctx)
	if err != nil {
		return s.sendError(ctx, err)
	}
	defer raw.Close()
	// Closing the connection when ctx ends unblocks any read or write, so
	// every error after that point is reported as ctx's.
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()
	if err := s.deliver(conn, msg); err != nil {
		return s.sendError(ctx, err)
	}
	return nil
}

// sendError adds the address and, when ctx ended, ctx's error.
func (s *SMTPSender) sendError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %v", ctxErr, err)
	}
	return fmt.Errorf("sending mail via %s: %w", s.addr(), err)
}

// dial connects, with the TLS handshake done for TLSImplicit. raw is the TCP
// connection, conn what SMTP is spoken over.
func (s *SMTPSender) dial(ctx context.Context) (raw, conn net.Conn, err error) {
	var d net.Dialer
	raw, err = d.DialContext(ctx, "tcp", s.addr())
	if err != nil {
		return nil, nil, err
	}
	if s.cfg.TLS != TLSImplicit {
		return raw, raw, nil
	}
	tc := tls.Client(raw, s.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, nil, fmt.Errorf("tls handshake: %w", err)
	}
	return raw, tc, nil
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		cfg = s.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.cfg.Host
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = s.cfg.RootCAs
	}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return cfg
}

// deliver runs one SMTP transaction over conn.
func (s *SMTPSender) deliver(conn net.Conn, msg composed) error {
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.LocalName); err != nil {
		return fmt.Errorf("ehlo: %w", err)
	}
	if s.cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return ErrStartTLSUnsupported
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.cfg.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return ErrAuthUnsupported
		}
		// PlainAuth itself refuses to send the password in plain text to
		// anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(msg.from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(msg.to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg.data); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
