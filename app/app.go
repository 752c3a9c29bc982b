package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/imageserver"
	"github.com/uivmm/uivmm/metrics"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
	"github.com/uivmm/uivmm/stream"
)

// App is one wired uivmm process.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Store    eventstore.Store
	Registry *domain.Registry
	RM       *readmodels.DB
	Bus      *commands.Bus
	Runner   *projections.Runner
	API      *api.Server
	Hub      *stream.Hub          // the live event stream
	LXD      LXD                  // LXD identity, hosts, outcomes, reactors (lxd.go)
	Images   *imageserver.Service // the simplestreams server; nil when disabled
	Deps     commands.Deps
	handler  http.Handler
	closers  []func() error
	runners  []func(ctx context.Context) error
	metrics  http.Handler          // nil when metrics are disabled
	commits  metrics.CommitCounter // the store's commit counts; nil when it keeps none
	shutdown shutdownHooks
	tls      tlsState // tls.go
}

// Projectors returns every projector, in a fixed order.
func Projectors() []projections.Projector {
	return []projections.Projector{
		projections.NewUsersProjector(),
		projections.NewTokensProjector(),
		projections.NewCredentialsProjector(),
		projections.NewSSHKeysProjector(),
		projections.NewServersProjector(),
		projections.NewSimpleStreamsProjector(),
		projections.NewInstancesProjector(),
	}
}

// New wires an App from cfg. Close releases what it opened.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (a *App, err error) {
	a = &App{Config: cfg, Log: log, Registry: Registry()}
	built := a // "return nil, err" clears a before the deferred Close runs
	defer func() {
		if err != nil {
			_ = built.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	if a.tls, err = loadTLS(cfg.TLS); err != nil {
		return nil, err
	}
	if a.Store, err = OpenStore(ctx, cfg.EventStoreURL()); err != nil {
		return nil, fmt.Errorf("opening event store: %w", err)
	}
	if c, ok := a.Store.(metrics.CommitCounter); ok {
		a.commits = c
	}
	a.Store = metrics.InstrumentStore(a.Store)
	a.closers = append(a.closers, a.Store.Close)
	if a.RM, err = readmodels.Open(ctx, filepath.Join(cfg.DataDir, "readmodels.db")); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.RM.Close)
	mailer, err := newMailer(cfg)
	if err != nil {
		return nil, err
	}
	a.Deps = commands.Deps{Repo: commands.NewRepo(a.Store, a.Registry), Users: a.RM, Tokens: a.RM, Mailer: mailer, Settings: settings(cfg),
		ServerOwners: a.RM}
	if a.Deps.Passkeys, err = newPasskeys(cfg.WebAuthn, a.RM); err != nil {
		return nil, err
	}
	if err := a.openLXD(ctx, cfg); err != nil {
		return nil, err
	}
	if a.Bus, err = commands.NewBus(commands.BusConfig{Timeout: cfg.HTTP.CommandTimeout.Duration, Logger: log,
		Observer: metrics.ObserveCommand}, Handlers(a.Deps)...); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Bus.Close)
	a.Runner = projections.NewRunner(a.Store, a.Registry, a.RM, log, Projectors()...)
	if err := a.RM.Ensure(ctx, a.Runner.Models()...); err != nil { // tables exist before the first request
		return nil, err
	}
	a.Hub = a.newHub(cfg)
	lxdDeps := a.startLXD(cfg)
	a.Images = a.startImages(cfg)
	a.API = api.New(api.Deps{Bus: a.Bus, RM: a.RM, Waiter: a.Runner.Waiter(), Log: log, Ready: a.ready,
		LXD: lxdDeps, Mappers: []api.ErrorMapper{api.MapLXDError, imageserver.MapError}, Images: a.Images,
		Streams: a.Hub, Extra: a.Hub.Methods(), Middleware: []func(http.Handler) http.Handler{a.Hub.Middleware}}, apiOptions(cfg))
	if a.handler, err = a.routes(); err != nil {
		return nil, err
	}
	return a, nil
}

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Run runs the bus, the projections and every background worker until
// ctx ends or one of them fails.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := append([]func(context.Context) error{a.Bus.Run, a.Runner.Run}, a.runners...)
	errs := make(chan error, len(workers))
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- w(ctx)
		}()
	}
	err := <-errs
	cancel()
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Started is closed when the command bus accepts commands.
func (a *App) Started() <-chan struct{} { return a.Bus.Running() }

// ready reports whether the store answers and the read models are at its
// head.
func (a *App) ready(ctx context.Context) error {
	head, err := a.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	if name := a.Runner.Failed(); name != "" {
		return fmt.Errorf("projection %s failed", name)
	}
	if err := a.Runner.Waiter().WaitFor(ctx, head); err != nil {
		return fmt.Errorf("projections behind the store head %d", head)
	}
	return nil
}

// Close releases everything New opened, in reverse order.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
