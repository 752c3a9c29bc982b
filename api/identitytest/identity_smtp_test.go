package identitytest

import (
	"bytes"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// The in-process SMTP server follows mail/server_test.go: a go-smtp
// backend that records what it accepts and can refuse recipients.

type smtpMessage struct {
	from string
	to   []string
	data []byte
}

type smtpBackend struct {
	rejectRcpt atomic.Bool
	mu         sync.Mutex
	msgs       []smtpMessage
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

func (b *smtpBackend) messages() []smtpMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]smtpMessage(nil), b.msgs...)
}

type smtpSession struct {
	b   *smtpBackend
	cur smtpMessage
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rejectRcpt.Load() {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = smtpMessage{} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP runs a plain go-smtp server on 127.0.0.1 (uivmm allows TLS
// "none" only to a loopback host) until the test ends.
func startSMTP(t *testing.T, be *smtpBackend) int {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		_ = s.Close()
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp server: %v", err)
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

func startWithSMTP(t *testing.T, be *smtpBackend) *apptest.Env {
	port := startSMTP(t, be)
	return apptest.Start(t, func(c *config.Config) {
		c.Mail.Host, c.Mail.Port, c.Mail.TLS, c.Mail.From = "127.0.0.1", port, config.MailTLSNone, "uivmm@uivmm.test"
	})
}

var smtpCodeRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// codeIn parses a received message with net/mail, decodes its
// quoted-printable body and returns the code in it.
func codeIn(t *testing.T, m smtpMessage, to string) string {
	t.Helper()
	if m.from != "uivmm@uivmm.test" || len(m.to) != 1 || m.to[0] != to {
		t.Fatalf("envelope from %q to %q", m.from, m.to)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatalf("unparsable mail: %v", err)
	}
	if addrs, err := msg.Header.AddressList("To"); err != nil || len(addrs) != 1 || addrs[0].Address != to {
		t.Fatalf("To %q", msg.Header.Get("To"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	code := smtpCodeRE.FindString(string(body))
	if code == "" {
		t.Fatalf("no code in %q", body)
	}
	return code
}

// TestSMTPRegistration runs user.register → code from the mail the SMTP
// server received → activation → login.
func TestSMTPRegistration(t *testing.T) {
	be := &smtpBackend{}
	e := startWithSMTP(t, be)
	e.MustOK("user.register", "", map[string]any{"user_login": "alice", "user_email": "alice@example.org",
		"user_password": "alice's password", "user_passwordRepeat": "alice's password"})
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("the SMTP server received %d messages", len(msgs))
	}
	code := codeIn(t, msgs[0], "alice@example.org")
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": "alice's password"}), 403, "user is not activated")
	wantAck(t, e.MustOK("user.register", "", map[string]any{"user_code": code}), "user")
	tok := login(t, e, "alice", "alice's password")
	if got := userAttrs(t, e, tok)["email"]; got != "alice@example.org" {
		t.Fatalf("email %v", got)
	}
	if mailCount(t, e) != 0 {
		t.Fatal("with SMTP configured, mail went to the outbox")
	}
}

// TestSMTPFailure: a mail server that refuses the recipient makes
// user.register fail with a clean 502 and leaves nothing half-registered:
// once the server is fixed, the same login and address register fine.
func TestSMTPFailure(t *testing.T) {
	be := &smtpBackend{}
	be.rejectRcpt.Store(true)
	e := startWithSMTP(t, be)
	body := map[string]any{"user_login": "alice", "user_email": "alice@example.org",
		"user_password": "alice's password", "user_passwordRepeat": "alice's password"}

	r := e.Call("user.register", "", body)
	wantError(t, r, 502, "the mail could not be sent, try again later")
	if r.Header.Get("Content-Type") != "application/vnd.api+json" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	types := eventTypes(e)
	if types["user:registered"] != 0 || types["claim:claimed"] != types["claim:released"] {
		t.Fatalf("half-registered: %v", types)
	}
	wantError(t, e.Call("user.login", "", map[string]any{"user_login": "alice", "user_password": "alice's password"}), 404, "user not found")

	be.rejectRcpt.Store(false)
	e.MustOK("user.register", "", body)
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("the SMTP server received %d messages", len(msgs))
	}
	e.MustOK("user.register", "", map[string]any{"user_code": codeIn(t, msgs[0], "alice@example.org")})
	login(t, e, "alice", "alice's password")

	// Codes mailed later fail just as cleanly.
	tok := login(t, e, "alice", "alice's password")
	be.rejectRcpt.Store(true)
	before := eventCount(e)
	wantError(t, e.Call("user.emailChange", tok, map[string]any{"user_email": "new@example.org", "user_code": ""}), 502, "")
	wantError(t, e.Call("user.recovery", "", map[string]any{"user_email": "alice@example.org"}), 502, "")
	if eventCount(e) != before {
		t.Fatal("a failed mail recorded a code")
	}
}
