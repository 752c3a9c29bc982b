package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/metrics"
)

// value returns the value of the series name{labels} in reg (0 when
// absent): a counter's or gauge's value, a histogram's sample count.
func value(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.GetCounter().GetValue()
				case m.Gauge != nil:
					return m.GetGauge().GetValue()
				case m.Histogram != nil:
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	return 0
}

func matches(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, lp := range m.GetLabel() {
		got[lp.GetName()] = lp.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return len(got) == len(want)
}

func newRegistry(t *testing.T, extra ...prometheus.Collector) *prometheus.Registry {
	t.Helper()
	reg, err := metrics.NewRegistry(extra...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestRegistryHasRuntimeAndProcessCollectors(t *testing.T) {
	reg := newRegistry(t)
	if v := value(t, reg, "go_goroutines", nil); v < 1 {
		t.Errorf("go_goroutines = %v, want >= 1", v)
	}
	fams, _ := reg.Gather()
	var names []string
	for _, f := range fams {
		names = append(names, f.GetName())
	}
	joined := strings.Join(names, " ")
	for _, want := range []string{"go_memstats_alloc_bytes", "process_start_time_seconds", "uivmm_stream_subscribers"} {
		if !strings.Contains(joined, want) {
			t.Errorf("registry lacks %s", want)
		}
	}
}

func TestHTTPMiddlewareCountsByLabelAndStatus(t *testing.T) {
	reg := newRegistry(t)
	label := func(r *http.Request) string {
		if r.URL.Path == "/known" {
			return "test.known"
		}
		return ""
	}
	h := metrics.HTTPMiddleware(label)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/known" {
			w.WriteHeader(http.StatusCreated)
			return
		}
		_, _ = w.Write([]byte("x"))
	}))
	known := map[string]string{"method": "test.known", "code": "201"}
	unknown := map[string]string{"method": metrics.Unknown, "code": "200"}
	before, beforeUnknown := value(t, reg, "uivmm_http_requests_total", known), value(t, reg, "uivmm_http_requests_total", unknown)
	for _, p := range []string{"/known", "/known", "/some/raw/path?x=1"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, p, nil))
	}
	if got := value(t, reg, "uivmm_http_requests_total", known) - before; got != 2 {
		t.Errorf("known requests counted %v, want 2", got)
	}
	if got := value(t, reg, "uivmm_http_requests_total", unknown) - beforeUnknown; got != 1 {
		t.Errorf("unknown requests counted %v, want 1", got)
	}
	if got := value(t, reg, "uivmm_http_request_duration_seconds", map[string]string{"method": "test.known"}); got < 2 {
		t.Errorf("latency samples %v, want >= 2", got)
	}
}

func TestHTTPMiddlewareKeepsFlush(t *testing.T) {
	flushed := false
	h := metrics.HTTPMiddleware(func(*http.Request) string { return "" })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flushed = http.NewResponseController(w).Flush() == nil
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !flushed {
		t.Error("Flush did not reach the underlying writer")
	}
}

func TestObserveCommandOutcomes(t *testing.T) {
	reg := newRegistry(t)
	cases := []struct {
		name    string
		err     error
		outcome string
	}{
		{"success", nil, "ok"},
		{"domain error", domain.Invalid("x", "bad"), "invalid"},
		{"wrapped conflict", errors.Join(errors.New("ctx"), domain.Conflict("dup")), "conflict"},
		{"other error", errors.New("boom"), "error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			labels := map[string]string{"command": "test.command", "outcome": tc.outcome}
			before := value(t, reg, "uivmm_commands_total", labels)
			metrics.ObserveCommand("test.command", 5*time.Millisecond, tc.err)
			if got := value(t, reg, "uivmm_commands_total", labels) - before; got != 1 {
				t.Errorf("counted %v, want 1", got)
			}
		})
	}
}

func TestInstrumentStoreCountsAppends(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	store := metrics.InstrumentStore(raw)
	t.Cleanup(func() { _ = store.Close() })
	reg := newRegistry(t)
	ok, conflict := map[string]string{"outcome": "ok"}, map[string]string{"outcome": "conflict"}
	events0, ok0, conflict0 := value(t, reg, "uivmm_eventstore_appended_events_total", nil),
		value(t, reg, "uivmm_eventstore_appends_total", ok), value(t, reg, "uivmm_eventstore_appends_total", conflict)
	ev := func(id string) eventstore.EventData {
		return eventstore.EventData{ID: id, Type: "test:happened", Data: []byte(`{}`), Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem}}
	}
	if _, err := store.Append(ctx, "test-1", eventstore.NoStream(), ev("a1"), ev("a2")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Append(ctx, "test-1", eventstore.NoStream(), ev("a3")); !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		t.Fatalf("second append: %v, want a conflict", err)
	}
	if got := value(t, reg, "uivmm_eventstore_appended_events_total", nil) - events0; got != 2 {
		t.Errorf("appended events %v, want 2", got)
	}
	if got := value(t, reg, "uivmm_eventstore_appends_total", ok) - ok0; got != 1 {
		t.Errorf("ok appends %v, want 1", got)
	}
	if got := value(t, reg, "uivmm_eventstore_appends_total", conflict) - conflict0; got != 1 {
		t.Errorf("conflicting appends %v, want 1", got)
	}
	if head, err := store.Head(ctx); err != nil || head != 2 {
		t.Errorf("Head through the decorator = %d, %v; want 2", head, err)
	}
}

type fakeCheckpoints map[string]uint64

func (f fakeCheckpoints) Positions() map[string]uint64 { return f }

type fakeLog struct {
	head   uint64
	times  map[uint64]time.Time
	failed bool
}

func (l fakeLog) Head(context.Context) (uint64, error) {
	if l.failed {
		return 0, errors.New("store down")
	}
	return l.head, nil
}

func (l fakeLog) ReadAll(_ context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if after >= l.head {
		return nil, nil
	}
	return []eventstore.RecordedEvent{{Position: after + 1, Time: l.times[after+1]}}, nil
}

func TestProjectionLag(t *testing.T) {
	now := time.Now()
	log := fakeLog{head: 10, times: map[uint64]time.Time{8: now.Add(-30 * time.Second)}}
	reg := newRegistry(t, metrics.NewProjectionLag(fakeCheckpoints{"users": 10, "tokens": 7}, log))
	cases := []struct {
		projection       string
		positions        float64
		minSecs, maxSecs float64
	}{
		{"users", 0, 0, 0},
		{"tokens", 3, 29, 60},
	}
	for _, tc := range cases {
		t.Run(tc.projection, func(t *testing.T) {
			l := map[string]string{"projection": tc.projection}
			if got := value(t, reg, "uivmm_projection_lag_positions", l); got != tc.positions {
				t.Errorf("lag positions %v, want %v", got, tc.positions)
			}
			if got := value(t, reg, "uivmm_projection_lag_seconds", l); got < tc.minSecs || got > tc.maxSecs {
				t.Errorf("lag seconds %v, want within [%v, %v]", got, tc.minSecs, tc.maxSecs)
			}
		})
	}
	if got := value(t, reg, "uivmm_eventstore_head_position", nil); got != 10 {
		t.Errorf("head %v, want 10", got)
	}
}

func TestProjectionLagReportsAStoreFailure(t *testing.T) {
	reg := newRegistry(t, metrics.NewProjectionLag(fakeCheckpoints{"users": 1}, fakeLog{failed: true}))
	if _, err := reg.Gather(); err == nil || !strings.Contains(err.Error(), "store down") {
		t.Errorf("gather error = %v, want the store's", err)
	}
	rec := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("a failing collector broke the scrape: %d", rec.Code)
	}
}

func TestLXDAndStreamHooks(t *testing.T) {
	reg := newRegistry(t)
	host := "lxd-test.example:8443"
	metrics.LXDCall(host, metrics.OutcomeOK, 10*time.Millisecond)
	metrics.LXDCall(host, "some free text from an error", time.Millisecond)
	if got := value(t, reg, "uivmm_lxd_calls_total", map[string]string{"host": host, "outcome": "ok"}); got != 1 {
		t.Errorf("ok calls %v, want 1", got)
	}
	if got := value(t, reg, "uivmm_lxd_calls_total", map[string]string{"host": host, "outcome": "error"}); got != 1 {
		t.Errorf("an unknown outcome was not mapped to error: %v", got)
	}
	metrics.LXDEventsConnected(host, true)
	if got := value(t, reg, "uivmm_lxd_events_connected", map[string]string{"host": host}); got != 1 {
		t.Errorf("connected = %v, want 1", got)
	}
	metrics.LXDEventsConnected(host, false)
	if got := value(t, reg, "uivmm_lxd_events_connected", map[string]string{"host": host}); got != 0 {
		t.Errorf("connected = %v, want 0", got)
	}
	metrics.LXDForget(host)
	if got := value(t, reg, "uivmm_lxd_calls_total", map[string]string{"host": host, "outcome": "ok"}); got != 0 {
		t.Errorf("forgotten host still has calls: %v", got)
	}

	subs, dropped := value(t, reg, "uivmm_stream_subscribers", nil), value(t, reg, "uivmm_stream_dropped_messages_total", nil)
	metrics.StreamSubscribers(+2)
	metrics.StreamSubscribers(-1)
	metrics.StreamDropped()
	if got := value(t, reg, "uivmm_stream_subscribers", nil) - subs; got != 1 {
		t.Errorf("subscribers moved by %v, want 1", got)
	}
	if got := value(t, reg, "uivmm_stream_dropped_messages_total", nil) - dropped; got != 1 {
		t.Errorf("dropped moved by %v, want 1", got)
	}
	metrics.StreamSubscribers(-1)
}

type fakeCommits struct{ commits, delayed uint64 }

func (f fakeCommits) CommitCounts() (uint64, uint64) { return f.commits, f.delayed }

func TestCommitCounts(t *testing.T) {
	reg := newRegistry(t, metrics.NewCommitCounts(fakeCommits{commits: 120, delayed: 45}))
	if got := value(t, reg, "uivmm_eventstore_commits_total", nil); got != 120 {
		t.Errorf("commits %v, want 120", got)
	}
	if got := value(t, reg, "uivmm_eventstore_delayed_commits_total", nil); got != 45 {
		t.Errorf("delayed commits %v, want 45", got)
	}
}
