package sqlite

import (
	"errors"
	"time"
)

// runWriter is the only goroutine that writes. It takes the first waiting
// request, gathers the others already queued (group commit) and, while
// other callers are appending, those that arrive within the commit delay
// (see commitDelay), applies them in one transaction and answers every
// caller after the commit. It returns when Close has closed the queue and
// the queue is drained.
func (s *Store) runWriter() {
	defer s.workers.Done()
	delay := commitDelay{max: s.cfg.commitDelay}
	for first := range s.reqs {
		linger, want := delay.wait(time.Now())
		g := s.gather(first, linger, want)
		batch := g.batch
		replies, written, err := s.applyBatch(batch)
		// Appends that arrived during the commit are queued now (a caller
		// answered below may enqueue its next one at once, which must not
		// count as another caller's).
		arrived := len(s.reqs)
		if err == nil && written {
			s.commits.Add(1)
			if g.waited {
				s.delayed.Add(1)
			}
			for _, rep := range replies {
				if rep.err == nil && len(rep.recs) > 0 {
					s.tail.add(rep.recs)
					s.learnHead(rep.recs[len(rep.recs)-1].Position)
				}
			}
		}
		for i, req := range batch {
			if err != nil {
				req.reply <- appendReply{err: err}
				continue
			}
			rep := replies[i]
			rep.recs = nil
			req.reply <- rep
		}
		if err == nil && written {
			s.wake.Notify()
		}
		delay.committed(time.Now(), g, arrived)
	}
}

// gathered is a batch and how it was gathered.
type gathered struct {
	batch  []*appendReq
	waited bool // for more appends than were queued
	late   int  // appends that arrived during the wait
}

// gather returns first plus the requests queued behind it, up to the
// batch size in events. If that is fewer than want requests, it waits up
// to linger for more.
func (s *Store) gather(first *appendReq, linger time.Duration, want int) (g gathered) {
	g.batch = []*appendReq{first}
	n := len(first.events)
	take := func(req *appendReq) {
		g.batch = append(g.batch, req)
		n += len(req.events)
	}
queued:
	for n < s.cfg.maxBatch {
		select {
		case req, ok := <-s.reqs:
			if !ok {
				return g // closing
			}
			take(req)
		default:
			break queued
		}
	}
	if linger <= 0 || len(g.batch) >= want || n >= s.cfg.maxBatch {
		return g
	}
	g.waited = true
	t := time.NewTimer(linger)
	defer t.Stop()
	for len(g.batch) < want && n < s.cfg.maxBatch {
		select {
		case req, ok := <-s.reqs:
			if !ok {
				return g
			}
			take(req)
			g.late++
		case <-t.C:
			return g
		}
	}
	return g
}

// applyBatch runs batch in one IMMEDIATE transaction. Each request's reply
// holds its own outcome (a failed guard is isolated by a savepoint); a
// non-nil error means the transaction failed and nothing was written.
// written reports whether any event was inserted.
func (s *Store) applyBatch(batch []*appendReq) (replies []appendReply, written bool, err error) {
	ctx := s.bg
	if _, err := s.wstmts.begin.ExecContext(ctx); err != nil {
		return nil, false, classify(err, "starting append transaction")
	}
	now := time.Now().UnixNano()
	replies = make([]appendReply, len(batch))
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			replies[i] = appendReply{err: err}
			continue
		}
		var inserted bool
		replies[i], inserted, err = s.applyRequest(req, now)
		if err != nil {
			return nil, false, s.abort(err)
		}
		written = written || inserted
	}
	if _, err := s.wstmts.commit.ExecContext(ctx); err != nil {
		return nil, false, s.abort(classify(err, "committing appends"))
	}
	return replies, written, nil
}

// abort rolls the open transaction back and returns err with any rollback
// failure.
func (s *Store) abort(err error) error {
	if _, rbErr := s.wstmts.rollback.ExecContext(s.bg); rbErr != nil {
		return errors.Join(err, classify(rbErr, "rolling back appends"))
	}
	return err
}

// applyRequest applies one request inside a savepoint. A request-level
// failure (guard, duplicate ID, full log) rolls back to the savepoint and is
// returned in the reply; err is only set when the transaction itself
// failed.
func (s *Store) applyRequest(req *appendReq, now int64) (rep appendReply, inserted bool, err error) {
	st := s.wstmts
	if _, err := st.savepoint.ExecContext(s.bg); err != nil {
		return rep, false, classify(err, "opening savepoint")
	}
	rep, inserted, err = s.tryAppend(req, now)
	if err != nil {
		return rep, false, err
	}
	if rep.err != nil {
		inserted = false
		if _, err := st.rollbackTo.ExecContext(s.bg); err != nil {
			return rep, false, classify(err, "rolling back to savepoint")
		}
	}
	if _, err := st.release.ExecContext(s.bg); err != nil {
		return rep, false, classify(err, "releasing savepoint")
	}
	return rep, inserted, nil
}

// CommitCounts returns how many transactions the writer has committed
// with events in them, and how many of those waited for more appends
// (the commit delay) before committing.
func (s *Store) CommitCounts() (commits, delayed uint64) { return s.commits.Load(), s.delayed.Load() }
