package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/uivmm/uivmm/app"
)

// serve runs the API until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully (see shutdown). It serves only once the command bus runs.
func serve(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := configFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr(), err)
	}
	defer ln.Close()
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout.Duration,
		WriteTimeout: cfg.HTTP.WriteTimeout.Duration, IdleTimeout: 2 * time.Minute}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workDone := make(chan error, 1)
	go func() { workDone <- a.Run(workCtx) }()
	select {
	case <-a.Started():
	case err := <-workDone:
		return fmt.Errorf("worker stopped at start: %w", err)
	}
	stopMetrics, err := serveMetrics(a, cfg, log)
	if err != nil {
		stopWork()
		return errors.Join(err, <-workDone)
	}
	defer stopMetrics(context.Background())
	serveDone := make(chan error, 1)
	srv.TLSConfig = a.TLSConfig()
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug) // e.g. LXD probing plain http on the TLS port
	go func() { serveDone <- serveHTTP(srv, ln) }()
	log.Info("uivmm serving", "addr", ln.Addr().String(), "tls", srv.TLSConfig != nil, "data_dir", cfg.DataDir, "version", version)
	select {
	case <-ctx.Done():
	case err := <-workDone:
		_ = srv.Close()
		return fmt.Errorf("worker stopped: %w", err)
	case err := <-serveDone:
		return err
	}
	return shutdown(a, log, srv, stopWork, workDone, stopMetrics)
}

// shutdown stops gracefully, in this order: the OnShutdown hooks (the
// stream sends its close events); the HTTP server (it stops accepting and
// waits for in-flight requests, so every acknowledged command is stored);
// the workers; the metrics listener. serve's deferred App.Close then
// closes the store, which drains pending appends.
func shutdown(a *app.App, log *slog.Logger, srv *http.Server, stopWork context.CancelFunc,
	workDone <-chan error, stopMetrics func(context.Context) error) error {
	log.Info("shutting down")
	a.BeginShutdown()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopWork()
	if werr := <-workDone; werr != nil && !errors.Is(werr, context.Canceled) {
		err = errors.Join(err, werr)
	}
	err = errors.Join(err, stopMetrics(sctx))
	log.Info("stopped")
	return err
}

// serveHTTP serves plain HTTP, or HTTPS when srv.TLSConfig is set
// (tls.key and tls.pub): TLS 1.2 and 1.3 are offered, HTTP/2 and 1.1.
func serveHTTP(srv *http.Server, ln net.Listener) error {
	if srv.TLSConfig == nil {
		return srv.Serve(ln)
	}
	return srv.ServeTLS(ln, "", "")
}
