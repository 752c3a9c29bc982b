package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/config"
)

// serveMetrics serves GET /metrics on metrics.listen when that is set (and
// metrics are enabled); otherwise the main listener serves it, or nothing
// does. The returned function shuts the listener down (idempotent).
func serveMetrics(a *app.App, cfg config.Config, log *slog.Logger) (func(context.Context) error, error) {
	h := a.MetricsHandler()
	if h == nil || cfg.Metrics.Listen == "" {
		return func(context.Context) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on metrics.listen %s: %w", cfg.Metrics.Listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout.Duration}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("metrics serving", "addr", ln.Addr().String())
	return srv.Shutdown, nil
}
