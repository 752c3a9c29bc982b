package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/internal/follow"
)

// Store is the SQLite event store. It is safe for concurrent use by many
// goroutines; several Stores (in one or several processes) may share one
// file.
type Store struct {
	path string
	cfg  config

	// bg is the context of the writer and poller: Open's values, never
	// cancelled, so one caller's cancellation never aborts a shared commit.
	bg     context.Context
	wdb    *sql.DB
	wconn  *sql.Conn
	wstmts *writeStmts
	rdb    *sql.DB
	rstmts *readStmts

	reqs chan *appendReq
	wake *follow.Signal
	tail tail // the last events this process committed
	// head is the last position this store knows the log to have: its
	// own commits, and what its poller and Head read.
	head atomic.Uint64
	// commits and delayed count the writer's commits, and those of them
	// that waited for more appends (CommitCounts).
	commits, delayed atomic.Uint64
	done             chan struct{} // closed by Close

	mu       sync.RWMutex // guards closed against inflight.Add
	closed   bool
	inflight sync.WaitGroup // appends accepted and not yet answered
	workers  sync.WaitGroup // writer and poller

	closeOnce sync.Once
	closeErr  error
}

var _ eventstore.Store = (*Store)(nil)

// Open opens (creating if needed) the event store in the SQLite file at
// path and starts its writer. ctx bounds the opening only. Close the Store
// to stop it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var cfg config
	cfg.setDefaults()
	for _, opt := range opts {
		opt(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("opening event store: %w", err)
	}
	s := &Store{
		path: path, cfg: cfg, bg: context.WithoutCancel(ctx),
		reqs: make(chan *appendReq, cfg.maxBatch),
		wake: follow.NewSignal(),
		done: make(chan struct{}),
	}
	if err := s.openDBs(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("opening event store %s: %w", path, err), s.closeDBs())
	}
	head, err := s.Head(ctx)
	if err != nil {
		return nil, errors.Join(err, s.closeDBs())
	}
	s.workers.Add(2)
	go s.runWriter()
	go s.runPoller(head)
	return s, nil
}

// openDBs opens the writer connection and the reader pool, creating the
// schema on first use.
func (s *Store) openDBs(ctx context.Context) error {
	wdsn, err := dsn(s.path, s.cfg, true)
	if err != nil {
		return err
	}
	rdsn, _ := dsn(s.path, s.cfg, false)
	if s.wdb, err = sql.Open("sqlite", wdsn); err != nil {
		return err
	}
	s.wdb.SetMaxOpenConns(1)
	if s.wconn, err = s.wdb.Conn(ctx); err != nil {
		return classify(err, "connecting writer")
	}
	if err := migrate(ctx, s.wconn); err != nil {
		return err
	}
	if s.wstmts, err = prepareWrite(ctx, s.wconn); err != nil {
		return err
	}
	if s.rdb, err = sql.Open("sqlite", rdsn); err != nil {
		return err
	}
	s.rdb.SetMaxOpenConns(s.cfg.readConns)
	s.rdb.SetMaxIdleConns(s.cfg.readConns)
	s.rstmts, err = prepareRead(ctx, s.rdb)
	return err
}

// Path returns the SQLite file the store lives in, for tooling such as
// backups.
func (s *Store) Path() string { return s.path }

// enter admits a call unless the store is closed; every admitted call must
// call s.inflight.Done.
func (s *Store) enter() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Close stops the store: it refuses new calls with eventstore.ErrClosed,
// lets appends already accepted commit and answer, ends subscriptions with
// eventstore.ErrClosed and closes the file. Calling it again returns the
// first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.inflight.Wait()
		close(s.reqs)
		close(s.done)
		s.workers.Wait()
		s.closeErr = s.closeDBs()
	})
	return s.closeErr
}

// closeDBs closes whatever openDBs opened.
func (s *Store) closeDBs() error {
	var errs []error
	if s.wstmts != nil {
		errs = append(errs, s.wstmts.close())
	}
	if s.rstmts != nil {
		errs = append(errs, s.rstmts.close())
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	for _, db := range []*sql.DB{s.wdb, s.rdb} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing event store %s: %w", s.path, err)
	}
	return nil
}
