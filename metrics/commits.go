package metrics

import "github.com/prometheus/client_golang/prometheus"

// CommitCounter is an event store that counts its commits (the SQLite
// store does): how many, and how many waited for more appends.
type CommitCounter interface {
	CommitCounts() (commits, delayed uint64)
}

var (
	commitsDesc = prometheus.NewDesc(namespace+"_eventstore_commits_total",
		"Transactions the event store's writer committed; appends per commit is appended_events_total over this.", nil, nil)
	delayedCommitsDesc = prometheus.NewDesc(namespace+"_eventstore_delayed_commits_total",
		"Commits that waited for other callers' appends (the commit delay) first.", nil, nil)
)

// CommitCounts is a collector of a CommitCounter's counts.
type CommitCounts struct{ c CommitCounter }

// NewCommitCounts returns the collector; it panics on a nil counter.
func NewCommitCounts(c CommitCounter) *CommitCounts {
	if c == nil {
		panic("metrics: NewCommitCounts needs a counter")
	}
	return &CommitCounts{c}
}

// Describe sends both descriptions.
func (c *CommitCounts) Describe(ch chan<- *prometheus.Desc) {
	ch <- commitsDesc
	ch <- delayedCommitsDesc
}

// Collect reads the counts.
func (c *CommitCounts) Collect(ch chan<- prometheus.Metric) {
	commits, delayed := c.c.CommitCounts()
	ch <- prometheus.MustNewConstMetric(commitsDesc, prometheus.CounterValue, float64(commits))
	ch <- prometheus.MustNewConstMetric(delayedCommitsDesc, prometheus.CounterValue, float64(delayed))
}
