package imageserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/readmodels"
	"github.com/uivmm/uivmm/simplestreams"
)

// Sender sends a command and returns its result (commands.Bus).
type Sender interface {
	Send(ctx context.Context, cmd commands.Command) (commands.Result, error)
}

// Waiter waits until the read models have processed a position.
type Waiter interface {
	WaitFor(ctx context.Context, pos uint64) error
}

// Header returns the position of the last stored event (the event store).
type Header interface {
	Head(ctx context.Context) (uint64, error)
}

// Config configures a Service. Zero durations take the defaults.
type Config struct {
	// Dir holds the blob store (blobs/sha256/<hex>, tmp/).
	Dir string
	// MaxUpload bounds one file (and, plus 1 MiB, one request). Default 4 GiB.
	MaxUpload int64
	// Lifetime is simplestream.images_lifetime; default 7 days.
	Lifetime time.Duration
	// Interval is simplestream.deletion_interval; default 6 h.
	Interval time.Duration
	// PendingTTL is how long the files of an incomplete version wait for
	// their partner before they are dropped; default 24 h.
	PendingTTL time.Duration
	// Grace protects blobs that no event refers to yet (an upload in
	// flight in another request) from Store.GC; default 1 h.
	Grace time.Duration
	// ReadYourWrites bounds the wait for the read models after a command;
	// default 5 s.
	ReadYourWrites time.Duration
	// CertPEM is uivmm's own HTTPS certificate ("" without TLS); see
	// CertificateFor.
	CertPEM string
}

func (c *Config) setDefaults() {
	if c.MaxUpload <= 0 {
		c.MaxUpload = 4 << 30
	}
	if c.Lifetime <= 0 {
		c.Lifetime = 7 * 24 * time.Hour
	}
	if c.Interval <= 0 {
		c.Interval = 6 * time.Hour
	}
	if c.PendingTTL <= 0 {
		c.PendingTTL = 24 * time.Hour
	}
	if c.Grace <= 0 {
		c.Grace = time.Hour
	}
	if c.ReadYourWrites <= 0 {
		c.ReadYourWrites = 5 * time.Second
	}
}

// Service is the image server of one process. It is safe for concurrent
// use; build it with New.
type Service struct {
	cfg    Config
	store  *simplestreams.Store
	bus    Sender
	waiter Waiter
	head   Header
	rm     *readmodels.DB
	log    *slog.Logger

	mu   sync.Mutex     // guards pins; held while a blob is judged and removed
	pins map[string]int // blobs in use by uploads in flight

	cache renderCache
}

// New builds a service. It panics on nil dependencies (a wiring bug).
func New(cfg Config, bus Sender, waiter Waiter, head Header, rm *readmodels.DB, log *slog.Logger) *Service {
	if bus == nil || waiter == nil || head == nil || rm == nil || log == nil || cfg.Dir == "" {
		panic("imageserver: New needs a directory, a bus, a waiter, a store head, read models and a logger")
	}
	cfg.setDefaults()
	return &Service{cfg: cfg, store: simplestreams.NewStore(cfg.Dir, cfg.MaxUpload), bus: bus, waiter: waiter,
		head: head, rm: rm, log: log, pins: map[string]int{}}
}

// MaxUpload is the size limit of one file.
func (s *Service) MaxUpload() int64 { return s.cfg.MaxUpload }

// send sends cmd and waits (bounded) until the read models have seen it.
func (s *Service) send(ctx context.Context, cmd commands.Command) (commands.Result, error) {
	res, err := s.bus.Send(ctx, cmd)
	if err != nil || res.Position == 0 {
		return res, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.ReadYourWrites)
	defer cancel()
	if err := s.waiter.WaitFor(wctx, res.Position); err != nil {
		s.log.Warn("read models lag behind a write", "command", cmd.CommandName(), "position", res.Position, "err", err)
	}
	return res, nil
}

// pin marks a freshly ingested blob as in use, and checks that it is
// still there: a concurrent removal may have judged it unreferenced
// between Ingest and pin.
func (s *Service) pin(sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.store.Path(sha)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("blob %s vanished after upload, try again: %w", sha, err)
	}
	s.pins[sha]++
	return nil
}

func (s *Service) unpin(sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pins[sha]--; s.pins[sha] <= 0 {
		delete(s.pins, sha)
	}
}

// removeUnreferenced deletes each blob that no upload in flight uses and
// no live version or pending file refers to. Failures are logged: a blob
// left behind is collected by the next GC.
func (s *Service) removeUnreferenced(ctx context.Context, shas ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sha := range shas {
		if s.pins[sha] > 0 {
			continue
		}
		ref, err := s.rm.SSBlobReferenced(ctx, sha)
		if err == nil && !ref {
			err = s.store.Remove(sha)
		}
		if err != nil {
			s.log.Warn("could not remove an unreferenced image file", "sha256", sha, "err", err)
		}
	}
}

// caughtUp waits until the read models have applied every stored event,
// so "unreferenced" can be judged from them.
func (s *Service) caughtUp(ctx context.Context) error {
	head, err := s.head.Head(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.waiter.WaitFor(wctx, head); err != nil {
		return errors.Join(errors.New("read models are behind the event store"), err)
	}
	return nil
}

// blob rebuilds the Blob of a recorded file (Path is where this process
// keeps it).
func (s *Service) blob(sha string, size int64, role string) (simplestreams.Blob, error) {
	p, err := s.store.Path(sha)
	if err != nil {
		return simplestreams.Blob{}, err
	}
	return simplestreams.Blob{SHA256: sha, Size: size, Role: simplestreams.Role(role), Path: p}, nil
}

// product returns the product with id key as package simplestreams
// knows it, and its numeric id.
func (s *Service) product(ctx context.Context, key string) (simplestreams.Product, int64, error) {
	row, err := s.rm.SSProductByKey(ctx, key)
	if err != nil {
		return simplestreams.Product{}, 0, err
	}
	if row == nil {
		return simplestreams.Product{}, 0, errProductNotFound
	}
	return ssProduct(*row), row.ID, nil
}

func ssProduct(r readmodels.SSProduct) simplestreams.Product {
	return simplestreams.Product{OS: r.OS, Release: r.Release, Arch: r.Arch, Variant: r.Variant,
		Aliases: r.Aliases, ReleaseTitle: r.ReleaseTitle}
}
