package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/mail"
)

const longLine = "This line is deliberately longer than seventy-six characters so that quoted-printable has to wrap it."

// testMessage holds what a real code mail holds, plus the awkward cases: a
// non-ASCII subject and body, a long line, a leading dot and "From ".
var testMessage = mail.Message{
	To:      "Ada Lövelace <ada@example.org>",
	Subject: "Your uivmm code — 123456",
	Text:    "Hello,\n\nyour code is 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.\n.\nFrom here on: ünïcödé.\n" + longLine + "\n",
}

// checkDelivered asserts the recorded message matches testMessage.
func checkDelivered(t *testing.T, got received, wantFrom string) {
	t.Helper()
	if got.from != "noreply@uivmm.test" || len(got.to) != 1 || got.to[0] != "ada@example.org" {
		t.Errorf("envelope from %q to %q", got.from, got.to)
	}
	checkParsed(t, got.data, wantFrom)
}

// checkParsed parses raw with net/mail and checks headers and body.
func checkParsed(t *testing.T, raw []byte, wantFrom string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot parse the message: %v\n%s", err, raw)
	}
	h := msg.Header
	if _, err := h.Date(); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != wantFrom {
		t.Errorf("From %q: %v", h.Get("From"), err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ada@example.org" || to[0].Name != "Ada Lövelace" {
		t.Errorf("To %q parsed as %v, %v", h.Get("To"), to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != testMessage.Subject {
		t.Errorf("Subject %q decodes to %q, %v", h.Get("Subject"), subject, err)
	}
	id := h.Get("Message-Id")
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@uivmm.test>") {
		t.Errorf("Message-ID %q", id)
	}
	for k, want := range map[string]string{
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 characters: %q", line)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	if want := strings.ReplaceAll(testMessage.Text, "\n", "\r\n"); string(body) != want {
		t.Errorf("body:\n got %q\nwant %q", body, want)
	}
}

func sender(port int, mutate func(c *mail.SMTPConfig)) *mail.SMTPSender {
	cfg := mail.SMTPConfig{Host: "127.0.0.1", Port: port, From: "uivmm <noreply@uivmm.test>", Timeout: 5 * time.Second}
	mutate(&cfg)
	return mail.NewSMTP(cfg)
}

func TestSMTPDelivers(t *testing.T) {
	tests := []struct {
		name    string
		mode    serverMode
		be      *backend
		cfg     func(c *mail.SMTPConfig, pool *tls.Config)
		wantTLS bool
	}{
		{"starttls with auth plain", plainWithStartTLS, &backend{user: "relay", pass: "s3cret"},
			func(c *mail.SMTPConfig, p *tls.Config) { c.User, c.Password, c.RootCAs = "relay", "s3cret", p.RootCAs }, true},
		{"starttls with a custom tls config", plainWithStartTLS, &backend{},
			func(c *mail.SMTPConfig, p *tls.Config) { c.TLSConfig = p }, true},
		{"implicit tls with auth plain", implicitTLS, &backend{user: "relay", pass: "s3cret"},
			func(c *mail.SMTPConfig, p *tls.Config) {
				c.TLS, c.User, c.Password, c.RootCAs = mail.TLSImplicit, "relay", "s3cret", p.RootCAs
			}, true},
		{"plain text to loopback", plainOnly, &backend{user: "relay", pass: "s3cret"},
			func(c *mail.SMTPConfig, _ *tls.Config) { c.TLS, c.User, c.Password = mail.TLSNone, "relay", "s3cret" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, pool := startServer(t, tt.be, tt.mode)
			s := sender(port, func(c *mail.SMTPConfig) { tt.cfg(c, &tls.Config{RootCAs: pool}) })
			if err := s.Send(t.Context(), testMessage); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := tt.be.messages()
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages, want 1", len(msgs))
			}
			if msgs[0].tls != tt.wantTLS {
				t.Errorf("delivered over TLS = %v, want %v", msgs[0].tls, tt.wantTLS)
			}
			if msgs[0].authUser != tt.be.user {
				t.Errorf("authenticated as %q, want %q", msgs[0].authUser, tt.be.user)
			}
			checkDelivered(t, msgs[0], "noreply@uivmm.test")
		})
	}
}

func TestSMTPFailures(t *testing.T) {
	closedPort := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		return port
	}
	tests := []struct {
		name  string
		mode  serverMode
		be    *backend
		cfg   func(c *mail.SMTPConfig, pool *tls.Config)
		msg   mail.Message
		check func(t *testing.T, err error)
	}{
		{"starttls not offered", plainOnly, &backend{}, nil, testMessage, wantIs(mail.ErrStartTLSUnsupported)},
		{"untrusted certificate", plainWithStartTLS, &backend{}, func(c *mail.SMTPConfig, _ *tls.Config) {}, testMessage,
			wantAs[*tls.CertificateVerificationError]()},
		{"implicit tls untrusted", implicitTLS, &backend{}, func(c *mail.SMTPConfig, _ *tls.Config) { c.TLS = mail.TLSImplicit },
			testMessage, wantAs[*tls.CertificateVerificationError]()},
		{"wrong password", plainWithStartTLS, &backend{user: "relay", pass: "s3cret"},
			func(c *mail.SMTPConfig, p *tls.Config) { c.User, c.Password, c.RootCAs = "relay", "nope", p.RootCAs },
			testMessage, wantCode(535)},
		{"auth required but not configured", plainWithStartTLS, &backend{user: "relay", pass: "s3cret"},
			func(c *mail.SMTPConfig, p *tls.Config) { c.RootCAs = p.RootCAs }, testMessage, wantCode(502)},
		{"auth configured but not offered", implicitTLS, &backend{},
			func(c *mail.SMTPConfig, p *tls.Config) {
				c.TLS, c.User, c.Password, c.RootCAs = mail.TLSImplicit, "u", "p", p.RootCAs
			},
			testMessage, wantIs(mail.ErrAuthUnsupported)},
		{"recipient rejected", plainWithStartTLS, &backend{rejectRcpt: true},
			func(c *mail.SMTPConfig, p *tls.Config) { c.RootCAs = p.RootCAs }, testMessage, wantCode(550)},
		{"header injection in subject", plainWithStartTLS, &backend{},
			func(c *mail.SMTPConfig, p *tls.Config) { c.RootCAs = p.RootCAs },
			mail.Message{To: "a@example.org", Subject: "hi\r\nBcc: victim@example.org", Text: "x"}, wantIs(mail.ErrHeaderInjection)},
		{"header injection in to", plainWithStartTLS, &backend{},
			func(c *mail.SMTPConfig, p *tls.Config) { c.RootCAs = p.RootCAs },
			mail.Message{To: "a@example.org\nBcc: victim@example.org", Subject: "hi", Text: "x"}, wantIs(mail.ErrHeaderInjection)},
		{"two recipients", plainWithStartTLS, &backend{},
			func(c *mail.SMTPConfig, p *tls.Config) { c.RootCAs = p.RootCAs },
			mail.Message{To: "a@example.org, b@example.org", Subject: "hi", Text: "x"}, wantIs(mail.ErrInvalidAddress)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port, pool := startServer(t, tt.be, tt.mode)
			s := sender(port, func(c *mail.SMTPConfig) {
				if tt.cfg != nil {
					tt.cfg(c, &tls.Config{RootCAs: pool})
				}
			})
			err := s.Send(t.Context(), tt.msg)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			tt.check(t, err)
			if n := len(tt.be.messages()); n != 0 {
				t.Errorf("server received %d messages, want 0", n)
			}
		})
	}
	t.Run("closed port", func(t *testing.T) {
		err := sender(closedPort(t), func(*mail.SMTPConfig) {}).Send(t.Context(), testMessage)
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			t.Errorf("Send to a closed port = %v, want a *net.OpError", err)
		}
	})
}

func TestSMTPHonoursContext(t *testing.T) {
	// A server that accepts and then never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name    string
		timeout time.Duration // SMTPConfig.Timeout
		ctx     func() (context.Context, context.CancelFunc)
		want    error
	}{
		{"caller deadline", time.Minute, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
		{"configured timeout", 200 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(t.Context())
		}, context.DeadlineExceeded},
		{"cancelled", time.Minute, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := sender(port, func(c *mail.SMTPConfig) { c.Timeout = tt.timeout }).Send(ctx, testMessage)
			if !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want %v", err, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Send took %s", d)
			}
		})
	}
}

func wantIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %v is not %v", err, target)
		}
	}
}

func wantAs[E error]() func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if _, ok := errors.AsType[E](err); !ok {
			var zero E
			t.Errorf("error %v is not a %T", err, zero)
		}
	}
}

func wantCode(code int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != code {
			t.Errorf("error %v is not an SMTP %d reply", err, code)
		}
	}
}
