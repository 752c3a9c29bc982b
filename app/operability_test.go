package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/config"
)

// scrape GETs url, through h when it is not nil.
func scrape(t *testing.T, h http.Handler, url string) (int, string) {
	t.Helper()
	if h == nil {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec.Code, rec.Body.String()
}

// sample returns the value of the series line that starts with series.
func sample(t *testing.T, text, series string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsEndpointAfterRequests(t *testing.T) {
	e := apptest.Start(t)
	e.MustOK("config.get", "", nil)
	e.MustOK("user.register", "", map[string]any{"user_login": "metrics1", "user_email": "metrics1@example.com",
		"user_password": "secret-pw", "user_passwordRepeat": "secret-pw"})
	e.Call("no.such.method", "", nil)
	code, text := scrape(t, nil, e.URL+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	moved := []string{
		`uivmm_http_requests_total{code="200",method="config.get"}`,
		`uivmm_http_requests_total{code="200",method="user.register"}`,
		`uivmm_http_requests_total{code="404",method="unknown"}`,
		`uivmm_http_request_duration_seconds_count{method="user.register"}`,
		`uivmm_commands_total{command="user.register",outcome="ok"}`,
		`uivmm_commands_duration_seconds_count{command="user.register"}`,
		`uivmm_eventstore_appended_events_total`,
		`uivmm_eventstore_appends_total{outcome="ok"}`,
		`uivmm_eventstore_append_duration_seconds_count`,
		`uivmm_eventstore_head_position`,
		`go_goroutines`,
		`process_start_time_seconds`,
	}
	for _, s := range moved {
		if v := sample(t, text, s); v <= 0 {
			t.Errorf("%s = %v, want > 0", s, v)
		}
	}
	for _, p := range []string{"users", "tokens"} {
		if v := sample(t, text, `uivmm_projection_lag_positions{projection="`+p+`"}`); v < 0 {
			t.Errorf("no lag reported for projection %s", p)
		}
	}
	for _, name := range []string{"uivmm_stream_subscribers", "uivmm_stream_dropped_messages_total", "uivmm_projection_lag_seconds"} {
		if !strings.Contains(text, "# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if strings.Contains(text, "no.such.method") {
		t.Error("an unknown method name became a label value")
	}
}

func TestMetricsCanBeDisabledOrMoved(t *testing.T) {
	cases := []struct {
		name        string
		mod         func(*config.Config)
		onMain      int
		wantHandler bool
	}{
		{"disabled", func(c *config.Config) { c.Metrics.Enabled = false }, http.StatusNotFound, false},
		{"own listener", func(c *config.Config) { c.Metrics.Listen = "127.0.0.1:0" }, http.StatusNotFound, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := apptest.Start(t, tc.mod)
			if code, _ := scrape(t, nil, e.URL+"/metrics"); code != tc.onMain {
				t.Errorf("GET /metrics on the main listener: %d, want %d", code, tc.onMain)
			}
			h := e.App.MetricsHandler()
			if (h != nil) != tc.wantHandler {
				t.Fatalf("MetricsHandler() != nil is %v, want %v", h != nil, tc.wantHandler)
			}
			if h != nil {
				if code, text := scrape(t, h, "/metrics"); code != http.StatusOK || !strings.Contains(text, "uivmm_http_requests_total") {
					t.Errorf("metrics handler: %d, %d bytes", code, len(text))
				}
			}
		})
	}
}

func TestOnShutdownHooksRunOnceInOrder(t *testing.T) {
	e := apptest.Start(t)
	var got []string
	e.App.OnShutdown(func() { got = append(got, "first") })
	e.App.OnShutdown(func() { got = append(got, "second") })
	e.App.BeginShutdown()
	e.App.BeginShutdown()
	e.App.OnShutdown(func() { got = append(got, "late") })
	if strings.Join(got, ",") != "first,second,late" {
		t.Errorf("hooks ran as %v", got)
	}
}
