package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of LXD calls and appends. LXDCall maps any other value to
// OutcomeError, so the label stays bounded.
const (
	OutcomeOK          = "ok"
	OutcomeError       = "error"
	OutcomeTimeout     = "timeout"
	OutcomeUnreachable = "unreachable"
	OutcomeNotFound    = "not_found"
	OutcomeForbidden   = "forbidden"
	OutcomeConflict    = "conflict"
	OutcomeCanceled    = "canceled"
)

var lxdOutcomes = map[string]bool{
	OutcomeOK: true, OutcomeError: true, OutcomeTimeout: true, OutcomeUnreachable: true,
	OutcomeNotFound: true, OutcomeForbidden: true, OutcomeConflict: true, OutcomeCanceled: true,
}

var (
	lxdCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "lxd", Name: "calls_total",
		Help: "Calls to LXD servers, by host and outcome.",
	}, []string{"host", "outcome"})
	lxdCallDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "lxd", Name: "call_duration_seconds",
		Help:    "Time for one call to an LXD server, by host.",
		Buckets: prometheus.DefBuckets,
	}, []string{"host"})
	lxdEventsConnected = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "lxd", Name: "events_connected",
		Help: "1 while uivmm's event connection to an LXD server is up, else 0.",
	}, []string{"host"})
)

// LXDCall records one call to the LXD server host ("host:port" of a
// configured server, never a user-typed string that was not added) and its
// outcome, one of the Outcome constants. Safe for concurrent use.
func LXDCall(host, outcome string, d time.Duration) {
	if !lxdOutcomes[outcome] {
		outcome = OutcomeError
	}
	lxdCalls.WithLabelValues(host, outcome).Inc()
	lxdCallDuration.WithLabelValues(host).Observe(d.Seconds())
}

// LXDEventsConnected records whether the event connection to host is up.
func LXDEventsConnected(host string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	lxdEventsConnected.WithLabelValues(host).Set(v)
}

// LXDForget drops host's series, for a server that was removed.
func LXDForget(host string) {
	lxdEventsConnected.DeleteLabelValues(host)
	lxdCallDuration.DeleteLabelValues(host)
	lxdCalls.DeletePartialMatch(prometheus.Labels{"host": host})
}
