package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/uivmm/uivmm/eventstore"
)

// Checkpoints reports how far each projection has got, by its lasting
// name (projections.Runner.Waiter() is one).
type Checkpoints interface {
	Positions() map[string]uint64
}

// Log is the part of the event store the lag collector reads.
type Log interface {
	Head(ctx context.Context) (uint64, error)
	ReadAll(ctx context.Context, after uint64, limit int) ([]eventstore.RecordedEvent, error)
}

var (
	headDesc = prometheus.NewDesc(namespace+"_eventstore_head_position",
		"Global position of the last event in the log.", nil, nil)
	lagPositionsDesc = prometheus.NewDesc(namespace+"_projection_lag_positions",
		"Events in the log that a projection has not processed yet (store head minus checkpoint).",
		[]string{"projection"}, nil)
	lagSecondsDesc = prometheus.NewDesc(namespace+"_projection_lag_seconds",
		"How long the oldest event a projection has not processed has been in the log; 0 when caught up.",
		[]string{"projection"}, nil)
)

// ProjectionLag is a collector that, on each scrape, reads the store head
// and every projection's checkpoint and reports the lag in positions and
// in seconds. Safe for concurrent use.
type ProjectionLag struct {
	cp      Checkpoints
	log     Log
	timeout time.Duration
	now     func() time.Time
}

// NewProjectionLag builds the collector. It panics on nil arguments.
func NewProjectionLag(cp Checkpoints, log Log) *ProjectionLag {
	if cp == nil || log == nil {
		panic("metrics: NewProjectionLag needs checkpoints and a log")
	}
	return &ProjectionLag{cp: cp, log: log, timeout: 2 * time.Second, now: time.Now}
}

// Describe implements prometheus.Collector.
func (p *ProjectionLag) Describe(ch chan<- *prometheus.Desc) {
	ch <- headDesc
	ch <- lagPositionsDesc
	ch <- lagSecondsDesc
}

// Collect implements prometheus.Collector. A store that does not answer
// within two seconds yields an invalid metric (the scrape reports it) and
// no lag.
func (p *ProjectionLag) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	head, err := p.log.Head(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(headDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(headDesc, prometheus.GaugeValue, float64(head))
	ages := map[uint64]float64{}
	for name, pos := range p.cp.Positions() {
		var behind uint64
		if head > pos {
			behind = head - pos
		}
		ch <- prometheus.MustNewConstMetric(lagPositionsDesc, prometheus.GaugeValue, float64(behind), name)
		if behind == 0 {
			ch <- prometheus.MustNewConstMetric(lagSecondsDesc, prometheus.GaugeValue, 0, name)
			continue
		}
		age, ok := ages[pos]
		if !ok {
			if age, err = p.pendingAge(ctx, pos); err != nil {
				ch <- prometheus.NewInvalidMetric(lagSecondsDesc, err)
				continue
			}
			ages[pos] = age
		}
		ch <- prometheus.MustNewConstMetric(lagSecondsDesc, prometheus.GaugeValue, age, name)
	}
}

// pendingAge is the age of the first event after pos, in seconds.
func (p *ProjectionLag) pendingAge(ctx context.Context, pos uint64) (float64, error) {
	recs, err := p.log.ReadAll(ctx, pos, 1)
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	age := p.now().Sub(recs[0].Time).Seconds()
	if age < 0 {
		age = 0
	}
	return age, nil
}
