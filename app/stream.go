package app

import (
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/metrics"
	"github.com/uivmm/uivmm/stream"
)

// newHub builds the event-stream hub and hooks it to the runner (as a
// listener), the workers (its sweeper) and the graceful shutdown. Call it
// after the runner exists and before the API is built.
func (a *App) newHub(cfg config.Config) *stream.Hub {
	h := stream.New(a.Store, stream.NewCatalog(), a.Log, stream.Config{
		AuthTimeout:   cfg.EventStream.AuthTimeout.Duration,
		PingInterval:  cfg.EventStream.PingInterval.Duration,
		Buffer:        cfg.EventStream.Buffer,
		FlushInterval: cfg.EventStream.FlushInterval.Duration,
		OnSubscribers: metrics.StreamSubscribers,
		OnDrop:        metrics.StreamDropped,
	})
	a.Runner.AddListener("stream-hub", h.Publish)
	a.runners = append(a.runners, h.Run)
	a.OnShutdown(h.Shutdown)
	return h
}
