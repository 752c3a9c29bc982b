package esdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// codedError is the part of the client's *esdb.Error the adapter reads.
type codedError interface {
	error
	Code() client.ErrorCode
}

// clientCode returns the client's error code of err, looking through
// wrapping (the client wraps its own *esdb.Error with fmt.Errorf in
// places, so client.FromError's plain type assertion would miss it).
func clientCode(err error) (client.ErrorCode, bool) {
	var e codedError
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return client.ErrorCodeUnknown, false
}

// isUnavailable reports whether err means the server cannot be reached or
// did not answer in time: a retry later may succeed.
func isUnavailable(err error) bool {
	code, ok := clientCode(err)
	if !ok {
		return false
	}
	switch code {
	case client.ErrorUnavailable, client.ErrorCodeDeadlineExceeded,
		client.ErrorCodeConnectionClosed, client.ErrorCodeNotLeader, client.ErrorAborted:
		return true
	}
	return false
}

// isPermanent reports whether a dropped subscription should not be
// resubscribed because the same request will fail the same way.
func isPermanent(err error) bool {
	code, ok := clientCode(err)
	if !ok {
		return false
	}
	switch code {
	case client.ErrorCodeUnauthenticated, client.ErrorCodeAccessDenied, client.ErrorCodeUnsupportedFeature:
		return true
	}
	return false
}

// isNotFound reports whether err is the client's "stream not found".
func isNotFound(err error) bool {
	code, ok := clientCode(err)
	return ok && code == client.ErrorCodeResourceNotFound
}

// isWrongExpectedVersion reports whether err is the client's failed
// optimistic-concurrency check.
func isWrongExpectedVersion(err error) bool {
	code, ok := clientCode(err)
	return ok && code == client.ErrorCodeWrongExpectedVersion
}

// mapError gives err the port's vocabulary, prefixed with what was being
// done: the caller's own cancellation wraps ctx.Err(), server trouble
// wraps eventstore.ErrUnavailable (keeping the client's error in the
// chain), anything else is wrapped as is.
func mapError(ctx context.Context, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", op, ctx.Err())
	case isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", op, eventstore.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// wrongVersionActual matches the current-revision part of the client's
// wrong-expected-version message: "... expecting 'X' but got 'Y'".
var wrongVersionActual = regexp.MustCompile(`but got '([^']*)'`)

// parseActualRevision extracts the stream's actual last revision from the
// client's wrong-expected-version error. exists is false for "no_stream";
// ok is false when the message has no recognisable revision.
func parseActualRevision(err error) (actual uint64, exists, ok bool) {
	m := wrongVersionActual.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false, false
	}
	if m[1] == "no_stream" {
		return 0, false, true
	}
	n, perr := strconv.ParseInt(m[1], 10, 64)
	switch {
	case perr != nil:
		return 0, false, false
	case n < 0: // the server's -1 for a stream with no events
		return 0, false, true
	}
	return uint64(n), true, true
}

// wrongVersion builds the port's error for a failed guard on stream. The
// actual revision comes from the client's message; when it cannot be
// parsed, lookup (which may be nil) is asked instead.
func wrongVersion(stream string, expected eventstore.ExpectedRevision, cause error,
	lookup func() (uint64, bool, error)) *eventstore.WrongExpectedVersionError {
	wev := &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected}
	if actual, exists, ok := parseActualRevision(cause); ok {
		wev.Actual, wev.ActualExists = actual, exists
		return wev
	}
	if lookup != nil {
		if actual, exists, err := lookup(); err == nil {
			wev.Actual, wev.ActualExists = actual, exists
		}
	}
	return wev
}
