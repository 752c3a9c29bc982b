package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/api"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/readmodels"
)

type noWait struct{}

func (noWait) WaitFor(context.Context, uint64) error { return nil }

// BenchmarkNoopCommandHTTP measures a no-op command's round trip through
// the HTTP API: chi routing, body decoding, the Watermill command bus
// (cqrs + requestreply) and the JSON reply. Reports req/s, p50 and p99.
func BenchmarkNoopCommandHTTP(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := commands.NewBus(commands.BusConfig{Timeout: 10 * time.Second, Logger: log}, commands.NewPingHandler())
	if err != nil {
		b.Fatal(err)
	}
	go bus.Run(ctx)
	<-bus.Running()
	db, err := readmodels.Open(ctx, filepath.Join(b.TempDir(), "rm.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ping := api.Method{Auth: api.AuthNone, JSON: func(ctx context.Context, c *api.Call) (api.Document, error) {
		if _, err := bus.Send(ctx, &commands.Ping{Envelope: commands.Envelope{Metadata: c.MetaFor("system.ping")}}); err != nil {
			return api.Document{}, err
		}
		return api.Ack("ping", 0), nil
	}}
	srv := api.New(api.Deps{Bus: bus, RM: db, Waiter: noWait{}, Log: log, Extra: map[string]api.Method{"bench.ping": ping}}, api.Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Post(ts.URL+"/api/v1/bench.ping", "application/json", bytes.NewBufferString(`{}`))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
	_ = fmt.Sprint
}
