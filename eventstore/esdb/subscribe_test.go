package esdb

import (
	"context"
	"errors"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestDropError(t *testing.T) {
	ctx := context.Background()
	var stop *stopError
	for _, code := range []client.ErrorCode{client.ErrorCodeUnauthenticated, client.ErrorCodeAccessDenied} {
		if err := dropError(ctx, coded(code)); !errors.As(err, &stop) {
			t.Errorf("code %d: dropError = %v, want a stopError", code, err)
		}
	}
	for _, err := range []error{nil, coded(client.ErrorUnavailable), coded(client.ErrorCodeUnknown), errors.New("eof")} {
		if got := dropError(ctx, err); got == nil || errors.As(got, &stop) {
			t.Errorf("dropError(%v) = %v, want a resubscribable error", err, got)
		}
	}
	inner := errors.New("handler")
	if err := error(&stopError{inner}); !errors.Is(err, inner) || err.Error() != "handler" {
		t.Errorf("stopError hides its cause: %v", err)
	}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	calls := 0
	got, err := retry(ctx, func() (int, error) {
		calls++
		if calls < 2 {
			return 0, coded(client.ErrorAborted)
		}
		return 7, nil
	})
	if err != nil || got != 7 || calls != 2 {
		t.Fatalf("retry after one abort = %d, %v after %d calls", got, err, calls)
	}

	calls = 0
	if _, err := retry(ctx, func() (int, error) { calls++; return 0, coded(client.ErrorCodeWrongExpectedVersion) }); err == nil || calls != 1 {
		t.Fatalf("non-retryable error: %v after %d calls, want 1 call", err, calls)
	}

	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	calls = 0
	if _, err := retry(short, func() (int, error) { calls++; return 0, coded(client.ErrorAborted) }); err == nil || calls != 1 {
		t.Fatalf("retry past its context: %v after %d calls", err, calls)
	}
}
