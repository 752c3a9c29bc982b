package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/uivmm/uivmm/eventstore"
)

// Store is the EventStoreDB implementation of eventstore.Store. It is safe
// for concurrent use by many goroutines. Build it with Open; the zero value
// is not usable.
type Store struct {
	conn  conn
	log   *slog.Logger
	now   func() time.Time
	locks streamLocks

	mu     sync.RWMutex
	closed bool
	done   chan struct{} // closed by Close; ends subscriptions
	ops    sync.WaitGroup
}

var _ eventstore.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithLogger sends the store's and the EventStoreDB client's log lines to
// l instead of slog.Default(). The client's own messages are logged at
// debug level, its errors at warn level (it reports every cancelled
// subscription as an error).
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// Open connects to the EventStoreDB server (or cluster) named by url, an
// EventStoreDB connection string such as "esdb://127.0.0.1:2113?tls=false"
// or "esdb+discover://a,b,c:2113". It checks that the server answers a
// read of $all before returning, within ctx: an unreachable server gives
// an error matching eventstore.ErrUnavailable. The caller must Close the
// store.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	s, err := newStore(url, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.ping(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// newStore builds a Store without talking to the server: the client
// connects lazily, on the first request.
func newStore(url string, opts ...Option) (*Store, error) {
	s := newStoreOn(nil, opts...)
	conf, err := client.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("parsing eventstoredb connection string: %w", err)
	}
	conf.Logger = clientLogger(s.log)
	c, err := client.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("creating eventstoredb client: %w", err)
	}
	s.conn = clientConn{c}
	return s, nil
}

// newStoreOn builds a Store on c.
func newStoreOn(c conn, opts ...Option) *Store {
	s := &Store{conn: c, log: slog.Default(), now: time.Now, done: make(chan struct{})}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// ping reads one event of $all backwards and closes the client when that
// fails. The client does not watch ctx while it dials, so the read runs
// aside and ctx bounds the wait; an abandoned read closes the client when
// it ends (closing earlier could make the client send on a closed channel).
func (s *Store) ping(ctx context.Context) error {
	result := make(chan error, 1)
	go func() {
		stream, err := s.conn.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, 1)
		if err == nil {
			_, err = stream.Recv()
			stream.Close()
			if errors.Is(err, io.EOF) {
				err = nil
			}
		}
		result <- err
	}()
	select {
	case err := <-result:
		if err != nil {
			_ = s.conn.Close()
			if ctx.Err() != nil || isUnavailable(err) {
				return fmt.Errorf("reaching eventstoredb: %w: %w", eventstore.ErrUnavailable, err)
			}
			return fmt.Errorf("reaching eventstoredb: %w", err)
		}
		return nil
	case <-ctx.Done():
		go func() {
			<-result
			_ = s.conn.Close()
		}()
		return fmt.Errorf("reaching eventstoredb: %w: %w", eventstore.ErrUnavailable, ctx.Err())
	}
}

// clientLogger bridges the client's printf-style logging to slog.
func clientLogger(l *slog.Logger) client.LoggingFunc {
	return func(level client.LogLevel, format string, args ...any) {
		lvl := slog.LevelDebug
		if level == client.LogError || level == client.LogWarn {
			lvl = slog.LevelWarn
		}
		l.Log(context.Background(), lvl, fmt.Sprintf(format, args...), "component", "eventstoredb-client")
	}
}

// begin registers an operation so Close waits for it; it fails with
// eventstore.ErrClosed once Close has started. Every successful begin is
// paired with s.ops.Done().
func (s *Store) begin() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.ErrClosed
	}
	s.ops.Add(1)
	return nil
}

// isClosed reports whether Close has started.
func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Close stops new operations (they fail with eventstore.ErrClosed), ends
// running subscriptions (Subscribe returns eventstore.ErrClosed), waits
// for appends and reads in flight to finish and then closes the
// connection. Closing twice is a no-op.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()

	s.ops.Wait()
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("closing eventstoredb client: %w", err)
	}
	return nil
}
