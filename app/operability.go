package app

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uivmm/uivmm/metrics"
)

// routes builds the main HTTP handler: the API, counted by the metrics
// middleware, plus GET /metrics unless metrics are disabled or bound to
// their own address (metrics.listen; cmd/uivmm serves MetricsHandler there).
func (a *App) routes() (http.Handler, error) {
	h := a.API.Handler()
	if !a.Config.Metrics.Enabled {
		return h, nil
	}
	collectors := []prometheus.Collector{metrics.NewProjectionLag(a.Runner.Waiter(), a.Store)}
	if a.commits != nil {
		collectors = append(collectors, metrics.NewCommitCounts(a.commits))
	}
	reg, err := metrics.NewRegistry(collectors...)
	if err != nil {
		return nil, fmt.Errorf("metrics registry: %w", err)
	}
	a.metrics = metrics.Handler(reg)
	h = metrics.HTTPMiddleware(a.API.RouteLabel)(h)
	if a.Config.Metrics.Listen != "" {
		return h, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics)
	mux.Handle("/", h)
	return mux, nil
}

// CommitCounts returns the event store's commits and how many of them
// waited for more appends; ok is false for a store that keeps no counts.
func (a *App) CommitCounts() (commits, delayed uint64, ok bool) {
	if a.commits == nil {
		return 0, 0, false
	}
	commits, delayed = a.commits.CommitCounts()
	return commits, delayed, true
}

// MetricsHandler serves the Prometheus metrics; nil when metrics are
// disabled.
func (a *App) MetricsHandler() http.Handler { return a.metrics }

// OnShutdown registers fn to run when the process begins a graceful
// shutdown: before the HTTP server stops accepting requests and waits for
// the ones in flight, and before the workers and the store stop. The event
// stream uses it to send its close events. Hooks run once, one after the
// other, in registration order; fn must return promptly. Safe for
// concurrent use.
func (a *App) OnShutdown(fn func()) { a.shutdown.add(fn) }

// BeginShutdown runs the OnShutdown hooks; later calls do nothing.
func (a *App) BeginShutdown() { a.shutdown.run() }

// shutdownHooks holds the OnShutdown functions.
type shutdownHooks struct {
	mu   sync.Mutex
	fns  []func()
	done bool
}

// add keeps fn for run; once run has started, fn runs at once.
func (h *shutdownHooks) add(fn func()) {
	h.mu.Lock()
	if h.done {
		h.mu.Unlock()
		fn()
		return
	}
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
}

func (h *shutdownHooks) run() {
	h.mu.Lock()
	fns := h.fns
	h.fns, h.done = nil, true
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
