package metrics

import (
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every uivmm metric name.
const namespace = "uivmm"

// shared lists the process-wide collectors every registry exposes.
func shared() []prometheus.Collector {
	return []prometheus.Collector{
		httpRequests, httpDuration, httpInFlight,
		commandsTotal, commandDuration,
		appendsTotal, appendedEvents, appendDuration,
		lxdCalls, lxdCallDuration, lxdEventsConnected,
		streamSubscribers, streamDropped,
	}
}

// NewRegistry returns a registry exposing the shared uivmm collectors, the
// Go runtime and process collectors, and extra (such as a ProjectionLag).
func NewRegistry(extra ...prometheus.Collector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	all := append([]prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}, shared()...)
	var errs []error
	for _, c := range append(all, extra...) {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reg, nil
}

// Handler serves reg in the Prometheus text format (gzip-compressed when
// the scraper asks for it).
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, MaxRequestsInFlight: 4,
		ErrorHandling: promhttp.ContinueOnError})
}
