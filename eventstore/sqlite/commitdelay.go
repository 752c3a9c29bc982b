package sqlite

import "time"

// commitDelay decides how long the writer waits for more appends before
// it commits, as PostgreSQL's commit_delay with commit_siblings does.
// Every commit costs a WAL write and an fsync whatever it holds, so under
// concurrent load a short wait lets several appends share one: fewer
// fsyncs, less CPU and I/O per event, at the cost of up to the delay on
// each append.
//
// It waits only while other callers are active: when recent batches were
// joined by appends that arrived while a commit ran, and the last commit
// ended moments ago. A lone caller (one append at a time, each waiting
// for the one before) never waits, and neither does the first append
// after a pause.
type commitDelay struct {
	max      time.Duration // 0: never wait
	joined   float64       // moving average: 1 for a batch others joined, 0 for one alone
	lastDone time.Time     // when the last commit ended
}

// joinedAbove is how much of the recent batches must have been joined
// for the writer to wait.
const joinedAbove = 0.25

// wait returns how long to wait for more appends before committing a
// batch that starts at now.
func (d *commitDelay) wait(now time.Time) time.Duration {
	if d.max <= 0 || d.joined < joinedAbove || now.Sub(d.lastDone) > 4*d.max {
		return 0
	}
	return d.max
}

// committed records a commit of requests appends, ended at now, with
// queued more already waiting behind it.
func (d *commitDelay) committed(now time.Time, requests, queued int) {
	sample := 0.0
	if requests > 1 || queued > 0 {
		sample = 1
	}
	d.joined += (sample - d.joined) / 4
	d.lastDone = now
}
