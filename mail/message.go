package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"
)

// Message is one plain-text mail to one recipient. Text and often Subject
// carry one-time codes: never log them.
type Message struct {
	To      string // an RFC 5322 address: "a@example.com" or "Name <a@example.com>"
	Subject string
	Text    string // UTF-8; any line endings
}

// Sender delivers messages. Send either hands m to the next hop (an SMTP
// relay, a directory) or returns an error; it does not retry, so a caller that
// retries may deliver twice. Implementations are safe for concurrent use and
// never log the message body.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

var (
	// ErrHeaderInjection is returned for a header value (To, Subject, From)
	// holding a line break or another control character.
	ErrHeaderInjection = errors.New("header value contains a line break or control character")
	// ErrInvalidAddress is returned for a To or From that is not an address.
	ErrInvalidAddress = errors.New("invalid mail address")
)

// maxSubject bounds the encoded Subject so its header line stays well under
// RFC 5322's 998 characters.
const maxSubject = 900

// composed is a message ready to deliver: its envelope addresses and its
// RFC 5322 bytes (CRLF line endings).
type composed struct {
	from, to string
	data     []byte
}

// compose formats m as an RFC 5322 message from the sender from, dated now.
// It is the only place mail is formatted: the SMTP and outbox paths both use
// it. The body is quoted-printable UTF-8 text.
func compose(m Message, from string, now time.Time) (composed, error) {
	for _, h := range [][2]string{{"From", from}, {"To", m.To}, {"Subject", m.Subject}} {
		if err := checkHeader(h[0], h[1]); err != nil {
			return composed{}, err
		}
	}
	fromAddr, err := parseAddress("From", from)
	if err != nil {
		return composed{}, err
	}
	toAddr, err := parseAddress("To", m.To)
	if err != nil {
		return composed{}, err
	}
	subject := mime.QEncoding.Encode("utf-8", strings.ToValidUTF8(m.Subject, "\uFFFD"))
	if len(subject) > maxSubject {
		return composed{}, fmt.Errorf("subject too long (%d bytes encoded, at most %d)", len(subject), maxSubject)
	}

	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("Date", now.Format(time.RFC1123Z))
	header("From", fromAddr.String())
	header("To", toAddr.String())
	header("Subject", subject)
	header("Message-ID", messageID(fromAddr.Address))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b) // text mode: any line ending becomes CRLF
	if _, err := qp.Write([]byte(strings.ToValidUTF8(m.Text, "\uFFFD"))); err != nil {
		return composed{}, fmt.Errorf("encoding body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return composed{}, fmt.Errorf("encoding body: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return composed{from: fromAddr.Address, to: toAddr.Address, data: b.Bytes()}, nil
}

// checkHeader refuses control characters (CR and LF above all) in a header
// value; tab is allowed.
func checkHeader(name, v string) error {
	if strings.IndexFunc(v, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("%s: %w", strings.ToLower(name), ErrHeaderInjection)
	}
	return nil
}

// parseAddress parses exactly one address.
func parseAddress(name, v string) (*netmail.Address, error) {
	if strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("%s is empty: %w", strings.ToLower(name), ErrInvalidAddress)
	}
	a, err := netmail.ParseAddress(v)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", strings.ToLower(name), v, ErrInvalidAddress)
	}
	return a, nil
}

// messageID makes a unique Message-ID in the sender's domain.
func messageID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	if domain == "" || strings.ContainsFunc(domain, func(r rune) bool {
		return !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		domain = "uivmm.invalid"
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}
