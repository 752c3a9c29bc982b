package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

func TestOpenRejectsBadURL(t *testing.T) {
	for _, url := range []string{"", "http://127.0.0.1:2113", "esdb://"} {
		if s, err := Open(context.Background(), url); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}

// TestOpenUnreachable needs no server: nothing listens on port 1.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := Open(ctx, "esdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=2&discoveryInterval=10",
		WithLogger(slog.New(slog.DiscardHandler)))
	if err == nil {
		_ = s.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
	if !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("Open = %v, want ErrUnavailable", err)
	}
}

// TestClosedStore needs no server: the client connects lazily and a closed
// store refuses every call before it would.
func TestClosedStore(t *testing.T) {
	s, err := newStore("esdb://127.0.0.1:1?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := context.Background()
	ev := eventstore.EventData{ID: uuid.NewString(), Type: "t", Data: json.RawMessage(`{}`)}
	_, appendErr := s.Append(ctx, "s", eventstore.Any(), ev)
	_, streamErr := s.ReadStream(ctx, "s", 0)
	_, allErr := s.ReadAll(ctx, 0, 10)
	_, headErr := s.Head(ctx)
	subErr := s.Subscribe(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { return nil })
	for name, err := range map[string]error{
		"Append": appendErr, "ReadStream": streamErr, "ReadAll": allErr, "Head": headErr, "Subscribe": subErr,
	} {
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

// TestAppendValidates needs no server: invalid input fails before any I/O.
func TestAppendValidates(t *testing.T) {
	s, err := newStore("esdb://127.0.0.1:1?tls=false")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	good := eventstore.EventData{ID: uuid.NewString(), Type: "t"}
	cases := map[string]struct {
		stream string
		events []eventstore.EventData
	}{
		"no events":     {"s", nil},
		"empty stream":  {"", []eventstore.EventData{good}},
		"system stream": {"$s", []eventstore.EventData{good}},
		"bad id":        {"s", []eventstore.EventData{{ID: "x", Type: "t"}}},
		"system type":   {"s", []eventstore.EventData{{ID: uuid.NewString(), Type: "$t"}}},
		"bad json":      {"s", []eventstore.EventData{{ID: uuid.NewString(), Type: "t", Data: json.RawMessage(`{`)}}},
		"id twice":      {"s", []eventstore.EventData{good, good}},
		"claim stream":  {claimStream(good.ID), []eventstore.EventData{good}},
	}
	for name, tc := range cases {
		if _, err := s.Append(ctx, tc.stream, eventstore.Any(), tc.events...); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
	}
	if _, err := s.ReadAll(ctx, 0, 0); err == nil {
		t.Error("ReadAll with limit 0 succeeded, want an error")
	}
}
