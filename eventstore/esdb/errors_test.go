package esdb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// fakeErr stands in for the client's *esdb.Error, whose code field cannot
// be set from outside the client package.
type fakeErr struct {
	code client.ErrorCode
	msg  string
}

func (e *fakeErr) Error() string          { return e.msg }
func (e *fakeErr) Code() client.ErrorCode { return e.code }

func coded(code client.ErrorCode) error {
	return &fakeErr{code: code, msg: fmt.Sprintf("code %d", code)}
}

func TestMapError(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name        string
		ctx         context.Context
		err         error
		unavailable bool
		ctxErr      bool
	}{
		{"unavailable", live, coded(client.ErrorUnavailable), true, false},
		{"deadline", live, coded(client.ErrorCodeDeadlineExceeded), true, false},
		{"connection closed", live, coded(client.ErrorCodeConnectionClosed), true, false},
		{"not leader", live, coded(client.ErrorCodeNotLeader), true, false},
		{"aborted", live, coded(client.ErrorAborted), true, false},
		{"wrapped by the client", live, fmt.Errorf("could not construct append operation. Reason: %w", coded(client.ErrorUnavailable)), true, false},
		{"access denied", live, coded(client.ErrorCodeAccessDenied), false, false},
		{"plain error", live, errors.New("boom"), false, false},
		{"caller cancelled", cancelled, coded(client.ErrorUnavailable), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError(tc.ctx, "doing it", tc.err)
			if errors.Is(got, eventstore.ErrUnavailable) != tc.unavailable {
				t.Fatalf("mapError = %v; unavailable %v, want %v", got, !tc.unavailable, tc.unavailable)
			}
			if errors.Is(got, context.Canceled) != tc.ctxErr {
				t.Fatalf("mapError = %v; context.Canceled %v, want %v", got, !tc.ctxErr, tc.ctxErr)
			}
			if !tc.ctxErr && !errors.Is(got, tc.err) {
				t.Fatalf("mapError = %v lost the cause %v", got, tc.err)
			}
		})
	}
	if mapError(live, "x", nil) != nil {
		t.Fatal("mapError(nil) != nil")
	}
}

func TestErrorClasses(t *testing.T) {
	cases := []struct {
		code                                        client.ErrorCode
		permanent, notFound, wrongVersion, retrying bool
	}{
		{client.ErrorCodeUnauthenticated, true, false, false, false},
		{client.ErrorCodeAccessDenied, true, false, false, false},
		{client.ErrorCodeUnsupportedFeature, true, false, false, false},
		{client.ErrorCodeResourceNotFound, false, true, false, false},
		{client.ErrorCodeWrongExpectedVersion, false, false, true, false},
		{client.ErrorAborted, false, false, false, true},
		{client.ErrorCodeNotLeader, false, false, false, true},
		{client.ErrorUnavailable, false, false, false, false},
		{client.ErrorCodeUnknown, false, false, false, false},
	}
	for _, tc := range cases {
		err := fmt.Errorf("wrapped: %w", coded(tc.code))
		if isPermanent(err) != tc.permanent || isNotFound(err) != tc.notFound ||
			isWrongExpectedVersion(err) != tc.wrongVersion || isRetryable(err) != tc.retrying {
			t.Errorf("code %d: permanent %v notFound %v wrongVersion %v retryable %v", tc.code,
				isPermanent(err), isNotFound(err), isWrongExpectedVersion(err), isRetryable(err))
		}
	}
	plain := errors.New("x")
	if isPermanent(plain) || isNotFound(plain) || isWrongExpectedVersion(plain) || isRetryable(plain) || isUnavailable(plain) {
		t.Error("a plain error was classified")
	}
}

// wrongVersionMessage renders what the client's *esdb.Error says for a
// failed guard (client v4.2.0, client.go AppendToStream).
func wrongVersionMessage(expected, current string) error {
	return &fakeErr{code: client.ErrorCodeWrongExpectedVersion, msg: fmt.Sprintf(
		"[ErrorCodeWrongExpectedVersion] an append request failed the optimistic concurrency on the server: "+
			"wrong expected version: expecting '%s' but got '%s'", expected, current)}
}

func TestParseActualRevision(t *testing.T) {
	cases := []struct {
		name          string
		err           error
		actual        uint64
		exists, found bool
	}{
		{"revision", wrongVersionMessage("2", "3"), 3, true, true},
		{"zero", wrongVersionMessage("no_stream", "0"), 0, true, true},
		{"no stream", wrongVersionMessage("stream_exists", "no_stream"), 0, false, true},
		{"minus one", wrongVersionMessage("5", "-1"), 0, false, true},
		{"unrecognised", errors.New("something else"), 0, false, false},
		{"garbage revision", wrongVersionMessage("1", "lots"), 0, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			actual, exists, found := parseActualRevision(tc.err)
			if actual != tc.actual || exists != tc.exists || found != tc.found {
				t.Fatalf("parseActualRevision = %d, %v, %v; want %d, %v, %v",
					actual, exists, found, tc.actual, tc.exists, tc.found)
			}
		})
	}
}

func TestWrongVersion(t *testing.T) {
	expected := eventstore.Exact(1)
	wev := wrongVersion("s", expected, wrongVersionMessage("1", "4"), nil)
	var err error = wev
	if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		t.Fatalf("%v does not match ErrWrongExpectedVersion", err)
	}
	if wev.Stream != "s" || wev.Expected != expected || wev.Actual != 4 || !wev.ActualExists {
		t.Fatalf("wrongVersion = %+v", wev)
	}

	asked := 0
	lookup := func() (uint64, bool, error) { asked++; return 9, true, nil }
	wev = wrongVersion("s", expected, wrongVersionMessage("1", "no_stream"), lookup)
	if asked != 0 || wev.ActualExists {
		t.Fatalf("parsed message still asked lookup (%d) or got %+v", asked, wev)
	}
	wev = wrongVersion("s", expected, errors.New("opaque"), lookup)
	if asked != 1 || wev.Actual != 9 || !wev.ActualExists {
		t.Fatalf("fallback lookup: asked %d, got %+v", asked, wev)
	}
	failing := func() (uint64, bool, error) { return 0, false, errors.New("down") }
	if wev = wrongVersion("s", expected, errors.New("opaque"), failing); wev.ActualExists {
		t.Fatalf("failed lookup reported %+v", wev)
	}
}
