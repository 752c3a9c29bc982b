package lxd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/canonical/lxd/shared/api"
)

// Sentinel errors. Every error this package returns wraps at most one of
// them, so an API mapper can choose a status with errors.Is:
// ErrUnreachable, ErrNotLXD → 502; ErrTimeout → 504; ErrNotFound → 404;
// ErrConflict (and ErrInUse, which is a conflict) → 409; ErrInvalid,
// ErrTrustRefused → 400.
var (
	// ErrUnreachable: the host could not be reached (connection refused,
	// DNS failure, TLS handshake failure, connection dropped).
	ErrUnreachable = errors.New("lxd host unreachable")
	// ErrTimeout: the host did not answer within the call's timeout.
	ErrTimeout = errors.New("lxd host timed out")
	// ErrCertificateChanged: the host presented a certificate other than
	// the pinned one (or than the one a trust token names).
	ErrCertificateChanged = errors.New("lxd server certificate changed")
	// ErrTrustRefused: the host refused the trust password or token.
	ErrTrustRefused = errors.New("lxd host refused the trust password or token")
	// ErrNotTrusted: the host does not (or no longer) trust uivmm's
	// client certificate.
	ErrNotTrusted = errors.New("lxd host does not trust uivmm's certificate")
	// ErrNotLXD: the address answers TLS but does not speak the LXD API.
	ErrNotLXD = errors.New("not an lxd server")
	// ErrNotFound: the named object does not exist on the host.
	ErrNotFound = errors.New("not found on the lxd host")
	// ErrConflict: the request conflicts with the host's state (the name
	// is taken, the object is in use, ...).
	ErrConflict = errors.New("conflict on the lxd host")
	// ErrInUse: the object is in use, so LXD refuses to delete or rename
	// it. Errors matching ErrInUse also match ErrConflict.
	ErrInUse = errors.New("in use on the lxd host")
	// ErrInvalid: the request was refused before it reached the host
	// (bad YAML, unknown action, missing name, bad certificate PEM).
	ErrInvalid = errors.New("invalid lxd request")
)

// Error is a refusal by LXD itself. Message is LXD's own text (for example
// "Profile is currently in use"), safe to show to a user. Status is the
// HTTP status LXD answered with, or 0 when a background operation failed.
//
// errors.Is(err, ErrNotFound) holds for status 404; ErrConflict for 409,
// "already exists" and in-use messages; ErrInUse for in-use messages;
// ErrNotTrusted for LXD's 403 "not authorized", which is what a host
// answers once it has dropped uivmm's certificate.
type Error struct {
	Op      string
	Status  int
	Message string
}

func (e *Error) Error() string {
	return e.Op + ": " + e.Message
}

// Is reports whether e matches one of the sentinels, by status or message.
func (e *Error) Is(target error) bool {
	msg := strings.ToLower(e.Message)
	inUse := strings.Contains(msg, "in use") || strings.Contains(msg, "currently used") ||
		strings.Contains(msg, "still used")
	switch target {
	case ErrNotTrusted:
		return e.Status == http.StatusForbidden && msg == "not authorized"
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrInUse:
		return inUse
	case ErrConflict:
		return e.Status == http.StatusConflict || inUse || strings.Contains(msg, "already exists")
	}
	return false
}

// certChangedError says which certificate was expected and which was seen.
type certChangedError struct {
	want, got string // sha256 fingerprints
	why       string
}

func (e *certChangedError) Error() string {
	return fmt.Sprintf("%s: expected certificate %s, server presented %s (%s)",
		ErrCertificateChanged, short(e.want), short(e.got), e.why)
}

func (e *certChangedError) Unwrap() error { return ErrCertificateChanged }

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16]
	}
	return fp
}

// wrap classifies err from the LXD client as one of this package's errors
// and prefixes op ("listing instances", "starting instance web").
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		mine    *Error
		changed *certChangedError
		status  api.StatusError
	)
	switch {
	case errors.As(err, &mine), errors.Is(err, ErrInvalid), errors.Is(err, ErrNotTrusted),
		errors.Is(err, ErrTrustRefused), errors.Is(err, ErrNotLXD):
		return fmt.Errorf("%s: %w", op, err)
	case errors.As(err, &changed):
		return fmt.Errorf("%s: %w", op, changed)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", op, err)
	case isTimeout(err):
		return fmt.Errorf("%s: %w: %w", op, ErrTimeout, err)
	case errors.As(err, &status):
		return &Error{Op: op, Status: status.Status(), Message: status.Error()}
	case isTransport(err):
		return fmt.Errorf("%s: %w: %w", op, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isTransport reports errors of the network or TLS layer, below LXD.
func isTransport(err error) bool {
	var (
		urlErr    *url.Error
		opErr     *net.OpError
		dnsErr    *net.DNSError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		verifyErr *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
	)
	return errors.Is(err, ErrUnreachable) || errors.As(err, &urlErr) || errors.As(err, &opErr) ||
		errors.As(err, &dnsErr) || errors.As(err, &recErr) || errors.As(err, &alertErr) ||
		errors.As(err, &verifyErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
