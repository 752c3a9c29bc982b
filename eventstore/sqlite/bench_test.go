package sqlite_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

// benchEvent returns an event of a typical size (about 200 bytes of data).
func benchEvent() eventstore.EventData {
	return eventstore.EventData{
		ID:   uuid.NewString(),
		Type: "instance:started",
		Data: json.RawMessage(`{"instance":"web-01","server":"lxd-host-3","project":"default",` +
			`"profile":["default","ssd"],"reason":"requested by user","attempt":1,"ok":true}`),
		Metadata: eventstore.Metadata{
			ActorID: 7, ActorKind: eventstore.ActorUser, RequestID: "req-0123456789",
			CorrelationID: "corr-0123456789", ClientAddr: "192.0.2.10:50000",
		},
	}
}

// BenchmarkAppend measures durable single-event appends with 1, 8 and 64
// concurrent writers, each on its own stream with Exact guards. The
// events/s metric is the throughput across all writers.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) { benchAppend(b, writers) })
	}
}

func benchAppend(b *testing.B, writers int) {
	s := openTemp(b)
	ctx := b.Context()
	var taken atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("bench-%d", w)
			exp := eventstore.NoStream()
			for taken.Add(1) <= int64(b.N) {
				res, err := s.Append(ctx, stream, exp, benchEvent())
				if err != nil {
					b.Error(err)
					return
				}
				exp = eventstore.Exact(res.NextRevision)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReadAll measures paging through a 50 000-event log with
// ReadAll(after, 1000); events/s counts events decoded.
func BenchmarkReadAll(b *testing.B) {
	const total, page = 50_000, 1000
	s := openTemp(b)
	ctx := b.Context()
	for i := 0; i < total; i += 500 {
		evs := make([]eventstore.EventData, 500)
		for j := range evs {
			evs[j] = benchEvent()
		}
		if _, err := s.Append(ctx, fmt.Sprintf("fill-%d", i%7), eventstore.Any(), evs...); err != nil {
			b.Fatal(err)
		}
	}
	read := 0
	b.ResetTimer()
	for range b.N {
		for after := uint64(0); ; {
			evs, err := s.ReadAll(ctx, after, page)
			if err != nil {
				b.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			read += len(evs)
			after = evs[len(evs)-1].Position
		}
	}
	b.StopTimer()
	if read != total*b.N {
		b.Fatalf("read %d events, want %d", read, total*b.N)
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "events/s")
}
