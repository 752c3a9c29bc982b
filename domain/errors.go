package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an Error. The API's single mapper turns a Kind into an
// HTTP status; nothing else chooses a status.
type Kind uint8

// The kinds of failure. The comment gives the HTTP status the API uses.
const (
	KindInternal         Kind = iota // 500
	KindInvalid                      // 400: bad input, wrong password or code
	KindUnauthorized                 // 401: missing, invalid, expired or revoked token only
	KindForbidden                    // 403
	KindNotFound                     // 404
	KindConflict                     // 409
	KindTooLarge                     // 413
	KindRateLimited                  // 429
	KindUpstream                     // 502: LXD unreachable or failing
	KindUnavailable                  // 503
	KindTimeout                      // 504
	KindMethodNotAllowed             // 405
	KindUnsupportedMedia             // 415
)

var kindSlugs = map[Kind]string{
	KindInternal: "internal", KindInvalid: "invalid", KindUnauthorized: "unauthorized",
	KindForbidden: "forbidden", KindNotFound: "not-found", KindConflict: "conflict",
	KindTooLarge: "too-large", KindRateLimited: "rate-limited", KindUpstream: "upstream",
	KindUnavailable: "unavailable", KindTimeout: "timeout",
	KindMethodNotAllowed: "method-not-allowed", KindUnsupportedMedia: "unsupported-media-type",
}

// String returns the kind's slug.
func (k Kind) String() string { return kindSlugs[k] }

// Error is the one error type that carries a user-safe Detail (often an
// i18n key the original front-end translates, such as "wrong credential")
// and a Kind. Field names the offending input field for validation errors.
// Err, when set, is the cause: it is logged, never shown to clients.
type Error struct {
	Kind   Kind
	Detail string
	Field  string
	Err    error
}

func (e *Error) Error() string {
	msg := e.Detail
	if e.Field != "" && msg == "" {
		msg = e.Field
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", msg, e.Err)
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Invalid is a 400 error about field (may be "").
func Invalid(field, detail string) *Error {
	return &Error{Kind: KindInvalid, Field: field, Detail: detail}
}

// NotFound, Conflict, Forbidden and Unauthorized build errors of that kind.
func NotFound(detail string) *Error     { return &Error{Kind: KindNotFound, Detail: detail} }
func Conflict(detail string) *Error     { return &Error{Kind: KindConflict, Detail: detail} }
func Forbidden(detail string) *Error    { return &Error{Kind: KindForbidden, Detail: detail} }
func Unauthorized(detail string) *Error { return &Error{Kind: KindUnauthorized, Detail: detail} }

// RateLimited is a 429 error; RetryAfter is carried in Detail-free form by
// the API from the error's RetryAfterSeconds.
func RateLimited(detail string) *Error { return &Error{Kind: KindRateLimited, Detail: detail} }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var de *Error
	if errors.As(err, &de) {
		return de, true
	}
	return nil, false
}

// IsKind reports whether err carries an *Error of kind k.
func IsKind(err error, k Kind) bool {
	de, ok := As(err)
	return ok && de.Kind == k
}

// Common details shared by several aggregates; the strings are the
// original front-end's i18n keys and must not change.
const (
	DetailFieldRequired = "this field must be filled in"
	DetailAccessDenied  = "not enough access rights"
	DetailUserNotFound  = "user not found"
)
