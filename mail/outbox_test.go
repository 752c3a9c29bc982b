package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uivmm/uivmm/mail"
)

var _ mail.Sender = (*mail.Outbox)(nil)
var _ mail.Sender = (*mail.SMTPSender)(nil)

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("unexpected file %q left in the outbox", e.Name())
			continue
		}
		names = append(names, filepath.Join(dir, e.Name()))
	}
	return names
}

func TestOutboxWritesParsableFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "outbox")
	o := mail.NewOutbox(dir).WithFrom("uivmm <noreply@uivmm.test>")
	if err := o.Send(t.Context(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	files := emlFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	checkParsed(t, raw, "noreply@uivmm.test")

	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, %v; want 0700", fi.Mode(), err)
	}
}

func TestOutboxDefaultSenderAndManyMessages(t *testing.T) {
	dir := t.TempDir()
	o := mail.NewOutbox(dir)
	if o.Dir() != dir {
		t.Errorf("Dir() = %q", o.Dir())
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := o.Send(t.Context(), testMessage); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	wg.Wait()
	files := emlFiles(t, dir)
	if len(files) != 20 {
		t.Fatalf("%d files, want 20", len(files))
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "From: \"uivmm\" <uivmm@localhost>\r\n") {
		t.Errorf("default sender missing:\n%s", raw)
	}
}

func TestOutboxRefuses(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		from string
		msg  mail.Message
		want error
	}{
		{"cr in subject", t.Context(), "", mail.Message{To: "a@example.org", Subject: "x\rBcc: b@example.org"}, mail.ErrHeaderInjection},
		{"lf in to", t.Context(), "", mail.Message{To: "a@example.org\nBcc: b@example.org", Subject: "x"}, mail.ErrHeaderInjection},
		{"nul in subject", t.Context(), "", mail.Message{To: "a@example.org", Subject: "x\x00"}, mail.ErrHeaderInjection},
		{"crlf in from", t.Context(), "a@example.org\r\nBcc: b@example.org", mail.Message{To: "a@example.org"}, mail.ErrHeaderInjection},
		{"empty to", t.Context(), "", mail.Message{Subject: "x"}, mail.ErrInvalidAddress},
		{"bad to", t.Context(), "", mail.Message{To: "not an address"}, mail.ErrInvalidAddress},
		{"bad from", t.Context(), "nobody", mail.Message{To: "a@example.org"}, mail.ErrInvalidAddress},
		{"cancelled context", cancelled, "", testMessage, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := mail.NewOutbox(dir)
			if tt.from != "" {
				o = o.WithFrom(tt.from)
			}
			err := o.Send(tt.ctx, tt.msg)
			if !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want %v", err, tt.want)
			}
			if files := emlFiles(t, dir); len(files) != 0 {
				t.Errorf("%d files written, want 0", len(files))
			}
		})
	}
}

func TestOutboxUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := mail.NewOutbox(filepath.Join(file, "outbox")).Send(t.Context(), testMessage); err == nil {
		t.Error("Send into a path below a file succeeded")
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  mail.SMTPConfig
		want []string
	}{
		{"valid with defaults", mail.SMTPConfig{Host: "smtp.example.com", From: "a@example.com"}, nil},
		{"plain text to a remote host", mail.SMTPConfig{Host: "smtp.example.com", From: "a@example.com", TLS: mail.TLSNone},
			[]string{"none is only allowed for a loopback host"}},
		{"plain text to ::1", mail.SMTPConfig{Host: "::1", From: "a@example.com", TLS: mail.TLSNone}, nil},
		{"every problem at once", mail.SMTPConfig{
			Host: "smtp.example.com:25", Port: 70000, TLS: "ssl", Password: "p", From: "x\r\nBcc: y",
			Timeout: -1, TLSConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test checks it is refused
		}, []string{"host:", "port:", "tls: unknown mode", "password:", "from:", "timeout:", "InsecureSkipVerify"}},
		{"missing from", mail.SMTPConfig{Host: "smtp.example.com"}, []string{"from is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Validate() = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, lacks %q", err, w)
				}
			}
			// NewSMTP keeps the problem and reports it on every Send.
			if sendErr := mail.NewSMTP(tt.cfg).Send(t.Context(), testMessage); sendErr == nil {
				t.Error("Send with an invalid config succeeded")
			}
		})
	}
}
