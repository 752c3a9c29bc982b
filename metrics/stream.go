package metrics

import "github.com/prometheus/client_golang/prometheus"

var (
	streamSubscribers = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "stream", Name: "subscribers",
		Help: "Open event-stream connections (SSE and WebSocket).",
	})
	streamDropped = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "stream", Name: "dropped_messages_total",
		Help: "Stream messages dropped because a subscriber was too slow.",
	})
)

// StreamSubscribers adds delta (+1 on connect, -1 on disconnect) to the
// number of open event-stream subscribers. Safe for concurrent use.
func StreamSubscribers(delta int) { streamSubscribers.Add(float64(delta)) }

// StreamDropped counts one message dropped for a slow subscriber.
func StreamDropped() { streamDropped.Inc() }
