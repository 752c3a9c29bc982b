package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/uivmm/uivmm/app"
)

// serve runs the API until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully: it stops accepting, lets in-flight requests finish, stops the
// workers and closes the store (which drains pending appends).
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
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout.Duration,
		WriteTimeout: cfg.HTTP.WriteTimeout.Duration, IdleTimeout: 2 * time.Minute}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workDone := make(chan error, 1)
	go func() { workDone <- a.Run(workCtx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()
	log.Info("uivmm serving", "addr", ln.Addr().String(), "data_dir", cfg.DataDir, "version", version)
	select {
	case <-ctx.Done():
	case err := <-workDone:
		_ = srv.Close()
		return fmt.Errorf("worker stopped: %w", err)
	case err := <-serveDone:
		return err
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWork()
	if werr := <-workDone; werr != nil && !errors.Is(werr, context.Canceled) {
		err = errors.Join(err, werr)
	}
	return err
}
