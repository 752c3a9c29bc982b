package metrics

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests served, by API method and status code.",
	}, []string{"method", "code"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to serve an HTTP request, by API method (a stream counts its whole life).",
		Buckets: prometheus.DefBuckets,
	}, []string{"method"})
	httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
		Help: "HTTP requests being served.",
	})
)

// Unknown is the label of requests whose method the label function does
// not recognise.
const Unknown = "unknown"

// HTTPMiddleware counts requests and observes their latency. label names
// a request's API method; it must return a value from a bounded set (the
// API's method names), or "" for anything else, which is counted as
// "unknown". The wrapped ResponseWriter keeps Flush, Hijack and Unwrap
// working for streams and WebSocket upgrades.
func HTTPMiddleware(label func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			httpInFlight.Inc()
			defer httpInFlight.Dec()
			rec := &recorder{ResponseWriter: w}
			defer func() {
				name := label(r)
				if name == "" {
					name = Unknown
				}
				httpRequests.WithLabelValues(name, strconv.Itoa(rec.code())).Inc()
				httpDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// recorder remembers the status a handler sent.
type recorder struct {
	http.ResponseWriter
	status int
}

func (rw *recorder) code() int {
	if rw.status == 0 {
		return http.StatusOK
	}
	return rw.status
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 && code >= 200 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Flush forwards to the underlying writer (server-sent events need it).
func (rw *recorder) Flush() {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

// Hijack forwards to the underlying writer and counts the request as a
// protocol switch (101), which is what a WebSocket upgrade is.
func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(rw.ResponseWriter).Hijack()
	if err == nil && rw.status == 0 {
		rw.status = http.StatusSwitchingProtocols
	}
	return conn, brw, err
}

// NoteStatus records the status of a response written on a taken-over
// connection (the event stream's SSE path), where Hijack would count 101.
func (rw *recorder) NoteStatus(code int) {
	if rw.status == 0 {
		rw.status = code
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
