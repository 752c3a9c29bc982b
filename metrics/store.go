package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uivmm/uivmm/eventstore"
)

var (
	appendsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "eventstore", Name: "appends_total",
		Help: `Appends to the event store, by outcome: ok, conflict, unavailable, closed, canceled or error.`,
	}, []string{"outcome"})
	appendedEvents = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "eventstore", Name: "appended_events_total",
		Help: "Events in successful appends (an idempotent retry counts again).",
	})
	appendDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "eventstore", Name: "append_duration_seconds",
		Help:    "Time for a successful, durable append.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
)

// InstrumentStore returns store with Append counted and timed; every other
// method is store's own. It panics on a nil store (a wiring mistake).
func InstrumentStore(store eventstore.Store) eventstore.Store {
	if store == nil {
		panic("metrics: InstrumentStore needs a store")
	}
	return instrumentedStore{store}
}

type instrumentedStore struct{ eventstore.Store }

// Append appends through the wrapped store and records the outcome.
func (s instrumentedStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	start := time.Now()
	res, err := s.Store.Append(ctx, stream, expected, events...)
	appendsTotal.WithLabelValues(appendOutcome(err)).Inc()
	if err == nil {
		appendedEvents.Add(float64(len(events)))
		appendDuration.Observe(time.Since(start).Seconds())
	}
	return res, err
}

// Unwrap returns the decorated store.
func (s instrumentedStore) Unwrap() eventstore.Store { return s.Store }

func appendOutcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, eventstore.ErrWrongExpectedVersion):
		return "conflict"
	case errors.Is(err, eventstore.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, eventstore.ErrClosed):
		return "closed"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	default:
		return OutcomeError
	}
}
