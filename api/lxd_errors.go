package api

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/lxd"
)

// Details of LXD failures. The wrapped cause is logged, never sent.
const (
	DetailLXDUnreachable   = "the lxd server is unreachable"
	DetailLXDTimeout       = "the lxd server did not answer in time"
	DetailLXDCertChanged   = "the server's certificate has changed"
	DetailLXDTrustRefused  = "the lxd server refused the trust password or token"
	DetailLXDNotTrusted    = "the lxd server no longer trusts uivmm"
	DetailLXDNotLXD        = "the host does not speak the lxd api"
	DetailLXDNotFound      = "not found on the lxd server"
	DetailLXDConflict      = "conflict on the lxd server"
	DetailLXDInvalid       = "the request is invalid"
	DetailLXDRefused       = "the lxd server refused the request"
	DetailOutcomeTimeout   = "the lxd server did not answer in time; the change may still be applied"
	detailInvalidSeparator = ": "
)

// MapLXDError is the ErrorMapper of package lxd's errors (register it in
// Deps.Mappers). Reactors use it too, to record a failure's kind and
// reason. Unreachable hosts and hosts that speak no LXD are 502, a
// timeout 504, a changed certificate 502, a refused trust secret 400,
// missing objects 404, in-use and name conflicts 409, and LXD's other
// refusals 400 (403 when LXD answers 401/403), always with LXD's message
// as the detail.
func MapLXDError(err error) (*domain.Error, bool) {
	var lxdErr *lxd.Error
	mk := func(k domain.Kind, detail string) (*domain.Error, bool) {
		return &domain.Error{Kind: k, Detail: detail, Err: err}, true
	}
	switch {
	case err == nil:
		return nil, false
	case errors.Is(err, lxd.ErrCertificateChanged):
		return mk(domain.KindUpstream, DetailLXDCertChanged)
	case errors.Is(err, lxd.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return mk(domain.KindTimeout, DetailLXDTimeout)
	case errors.Is(err, lxd.ErrUnreachable):
		return mk(domain.KindUpstream, DetailLXDUnreachable)
	case errors.Is(err, lxd.ErrNotLXD):
		return mk(domain.KindUpstream, DetailLXDNotLXD)
	case errors.Is(err, lxd.ErrNotTrusted):
		return mk(domain.KindUpstream, DetailLXDNotTrusted)
	case errors.Is(err, lxd.ErrTrustRefused):
		return mk(domain.KindInvalid, DetailLXDTrustRefused)
	case errors.Is(err, lxd.ErrInvalid):
		return mk(domain.KindInvalid, invalidDetail(err))
	case errors.As(err, &lxdErr):
		return mk(lxdKind(lxdErr), lxdMessage(lxdErr.Message))
	case errors.Is(err, lxd.ErrNotFound):
		return mk(domain.KindNotFound, DetailLXDNotFound)
	case errors.Is(err, lxd.ErrConflict):
		return mk(domain.KindConflict, DetailLXDConflict)
	}
	return nil, false
}

// lxdKind is the kind of a refusal by LXD itself.
func lxdKind(e *lxd.Error) domain.Kind {
	switch {
	case errors.Is(e, lxd.ErrNotFound):
		return domain.KindNotFound
	case errors.Is(e, lxd.ErrConflict):
		return domain.KindConflict
	case e.Status == 401, e.Status == 403:
		// "the default profile cannot be deleted", or uivmm no longer
		// trusted: the message tells which.
		return domain.KindForbidden
	}
	// LXD answered and refused: 4xx, a failed background operation (0),
	// and 5xx, which LXD also uses for invalid configuration ("unknown
	// configuration key"). Its message says why.
	return domain.KindInvalid
}

// lxdMessage is LXD's message as a detail: trimmed, first letter in lower
// case like every other detail, and bounded.
func lxdMessage(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return DetailLXDRefused
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	r, n := utf8.DecodeRuneInString(msg)
	if unicode.IsUpper(r) && !(len(msg) > n && unicode.IsUpper(rune(msg[n]))) {
		msg = string(unicode.ToLower(r)) + msg[n:]
	}
	return msg
}

// invalidDetail is the text after lxd.ErrInvalid in err ("profile body:
// yaml: line 2: ..."): it describes the caller's own input.
func invalidDetail(err error) string {
	s := err.Error()
	i := strings.Index(s, lxd.ErrInvalid.Error()+detailInvalidSeparator)
	if i < 0 {
		return DetailLXDInvalid
	}
	return lxdMessage(s[i+len(lxd.ErrInvalid.Error())+len(detailInvalidSeparator):])
}
