package sqlite

import (
	"errors"
	"fmt"
	"time"
)

// Option configures a Store at Open.
type Option func(*config)

type config struct {
	pollInterval time.Duration
	busyTimeout  time.Duration
	maxBatch     int
	readConns    int
	commitDelay  time.Duration
}

// Defaults of the options.
const (
	DefaultPollInterval = 200 * time.Millisecond
	DefaultBusyTimeout  = 10 * time.Second
	DefaultMaxBatch     = 1024
	DefaultReadConns    = 4
	DefaultCommitDelay  = 2 * time.Millisecond
)

func (c *config) setDefaults() {
	c.pollInterval = DefaultPollInterval
	c.busyTimeout = DefaultBusyTimeout
	c.maxBatch = DefaultMaxBatch
	c.readConns = DefaultReadConns
	c.commitDelay = DefaultCommitDelay
}

// Validate reports every invalid setting at once.
func (c *config) Validate() error {
	var errs []error
	if c.pollInterval <= 0 {
		errs = append(errs, fmt.Errorf("poll interval %v must be positive", c.pollInterval))
	}
	if c.busyTimeout < time.Millisecond {
		errs = append(errs, fmt.Errorf("busy timeout %v must be at least 1ms", c.busyTimeout))
	}
	if c.maxBatch < 1 {
		errs = append(errs, fmt.Errorf("max batch %d must be at least 1", c.maxBatch))
	}
	if c.commitDelay < 0 || c.commitDelay > time.Minute {
		errs = append(errs, fmt.Errorf("commit delay %v must be between 0 and 1m", c.commitDelay))
	}
	if c.readConns < 1 {
		errs = append(errs, fmt.Errorf("read connections %d must be at least 1", c.readConns))
	}
	return errors.Join(errs...)
}

// WithPollInterval sets how often the store checks the file for appends
// made by other processes, to wake subscriptions (default 200ms). Appends
// made through this Store wake them at once.
func WithPollInterval(d time.Duration) Option { return func(c *config) { c.pollInterval = d } }

// WithBusyTimeout sets how long a connection waits for a lock another
// connection or process holds before failing with eventstore.ErrUnavailable
// (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithMaxBatch caps how many events one group commit writes (default 1024).
// A single append larger than the cap is still written whole.
func WithMaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// WithReadConns sets the size of the reader connection pool (default 4).
func WithReadConns(n int) Option { return func(c *config) { c.readConns = n } }

// WithCommitDelay sets how long the writer may wait for more appends
// before a commit, while other callers are appending (default 2ms; 0
// never waits). A commit waits until eight appends share it (or as many
// as the last commit held) or the delay ends; a lone caller, and the
// first append after a pause, never wait (see commitDelay).
func WithCommitDelay(d time.Duration) Option { return func(c *config) { c.commitDelay = d } }
