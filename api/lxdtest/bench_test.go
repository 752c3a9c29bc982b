package lxdtest

import (
	"net/http"
	"sort"
	"testing"
	"time"
)

// BenchmarkServerGet measures server.get end to end (HTTP, auth, the
// read model, and six LXD requests in parallel: server, resources,
// profiles, certificates, pools with their resources, volumes, instances)
// against the local test daemon.
func BenchmarkServerGet(b *testing.B) {
	benchCall(b, "server.get", nil)
}

// BenchmarkImageList measures image.list of the host's own images.
func BenchmarkImageList(b *testing.B) {
	benchCall(b, "image.list", map[string]any{"image_server_host": ""})
}

func benchCall(b *testing.B, method string, extra map[string]any) {
	h := start(b)
	_, alice := h.user("alice", 4)
	id := h.addServer(b, alice, "")
	body := on(id)
	for k, v := range extra {
		body[k] = v
	}
	h.MustOK(method, alice, body) // connect and allocate ids once
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if r := h.Call(method, alice, body); r.Status != http.StatusOK {
			b.Fatalf("%s: %d %s", method, r.Status, r.Raw)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	b.ReportMetric(float64(pct(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
}

// BenchmarkProfileUpdate measures a mutation end to end: the command
// records the request, the reactor applies it to LXD and records the
// outcome, and the call answers with it.
func BenchmarkProfileUpdate(b *testing.B) {
	prof := name("uivmm-bench")
	b.Cleanup(func() { _ = testDaemon(b).Admin(b).DeleteProfile(prof) })
	benchCall(b, "profile.update", map[string]any{"profile_name": prof, "profile_body": profileBody(prof, "bench")})
}
