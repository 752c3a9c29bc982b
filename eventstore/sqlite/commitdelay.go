package sqlite

import "time"

// commitDelay decides whether the writer waits for more appends before it
// commits, as PostgreSQL's commit_delay with commit_siblings does. Every
// commit costs a WAL write and an fsync whatever it holds, so under
// concurrent load a short wait lets several appends share one: fewer
// fsyncs, less CPU and I/O per event, for up to the delay on an append.
//
// It waits only while other callers are active: when appends have been
// arriving while recent commits ran or waited, and the last commit ended
// moments ago. A lone caller (each append waiting for the one before)
// never arrives then, so it never waits; nor does the first append after
// a pause.
//
// And it waits only until as many appends share the commit as the last
// one held, and at least shareBy: from there on an fsync costs each of
// them little, and callers that append again as soon as they are
// answered (a bulk load) are all back within moments, so they are not
// held back; a batch that already has that many when it is gathered
// commits at once.
type commitDelay struct {
	max      time.Duration // 0: never wait
	arriving float64       // moving average: 1 for a commit appends arrived during (or its wait), else 0
	lastDone time.Time     // when the last commit ended
	lastSize int           // appends in the last commit
}

const (
	// arrivingAbove is how many of the recent commits must have seen
	// appends arrive for the writer to wait.
	arrivingAbove = 0.25
	// shareBy is how many appends a commit waits for, unless the last
	// one held more.
	shareBy = 8
)

// wait returns how long the writer may wait before committing a batch
// that starts at now, and for how many appends (0, 0: commit at once).
func (d *commitDelay) wait(now time.Time) (time.Duration, int) {
	if d.max <= 0 || d.arriving < arrivingAbove || now.Sub(d.lastDone) > 4*d.max {
		return 0, 0
	}
	return d.max, max(shareBy, d.lastSize)
}

// committed records the commit of g that ended at now, during which
// arrived more appends arrived (those queued before its callers were
// answered).
func (d *commitDelay) committed(now time.Time, g gathered, arrived int) {
	sample := 0.0
	if arrived > 0 || g.late > 0 {
		sample = 1
	}
	d.arriving += (sample - d.arriving) / 4
	d.lastDone = now
	d.lastSize = len(g.batch)
}
