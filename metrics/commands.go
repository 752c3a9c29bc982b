package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uivmm/uivmm/domain"
)

var (
	commandsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "commands", Name: "total",
		Help: `Commands sent on the bus, by command name and outcome ("ok" or the error kind).`,
	}, []string{"command", "outcome"})
	commandDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "commands", Name: "duration_seconds",
		Help:    "Time from sending a command to its result, by command name.",
		Buckets: prometheus.DefBuckets,
	}, []string{"command"})
)

// ObserveCommand records one command sent on the bus. It has the shape of
// commands.BusConfig's Observer. command is the command's lasting name
// (a constant in code, never input); the outcome is "ok", the domain error
// kind ("invalid", "conflict", "timeout", ...) or "error".
func ObserveCommand(command string, took time.Duration, err error) {
	commandsTotal.WithLabelValues(command, outcome(err)).Inc()
	commandDuration.WithLabelValues(command).Observe(took.Seconds())
}

// outcome classifies err into a bounded label value.
func outcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	if de, ok := domain.As(err); ok {
		if s := de.Kind.String(); s != "" {
			return s
		}
	}
	return OutcomeError
}
