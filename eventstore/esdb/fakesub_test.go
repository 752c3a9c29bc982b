package esdb

import (
	"context"
	"errors"
	"regexp"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func (c *fakeConn) SubscribeToAll(ctx context.Context, opts client.SubscribeToAllOptions) (subscription, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	f := c.db
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSubs > 0 {
		f.failSubs--
		return nil, &fakeErr{code: client.ErrorUnavailable, msg: "server is not ready"}
	}
	sub := &fakeSub{db: f, ctx: ctx, budget: f.dropEvery, idx: 0}
	if p, ok := opts.From.(client.Position); ok {
		for sub.idx < len(f.log) && f.log[sub.idx].Position.Commit <= p.Commit {
			sub.idx++ // $all subscriptions start after the given position
		}
	}
	if opts.Filter != nil {
		sub.filter = regexp.MustCompile(opts.Filter.Regex)
	}
	return sub, nil
}

// fakeSub is a catch-up subscription to $all on a fakeDB.
type fakeSub struct {
	db     *fakeDB
	ctx    context.Context
	filter *regexp.Regexp
	idx    int // next index of the log to consider
	budget int // events left before an injected drop (0: no drops)
	closed bool
}

func (s *fakeSub) Recv() *client.SubscriptionEvent {
	for {
		if s.closed {
			return dropped(errors.New("subscription has been dropped"))
		}
		if err := s.ctx.Err(); err != nil {
			return dropped(err)
		}
		s.db.mu.Lock()
		if s.db.dropEvery > 0 && s.budget == 0 {
			s.db.mu.Unlock()
			return dropped(&fakeErr{code: client.ErrorUnavailable, msg: "connection reset"})
		}
		for s.idx < len(s.db.log) {
			rec := s.db.log[s.idx]
			s.idx++
			if s.filter == nil || s.filter.MatchString(rec.EventType) {
				s.budget--
				s.db.mu.Unlock()
				return &client.SubscriptionEvent{EventAppeared: &client.ResolvedEvent{Event: &rec, Commit: &rec.Position.Commit}}
			}
		}
		changed := s.db.changed
		s.db.mu.Unlock()
		select {
		case <-changed:
		case <-s.ctx.Done():
		}
	}
}

func dropped(err error) *client.SubscriptionEvent {
	return &client.SubscriptionEvent{SubscriptionDropped: &client.SubscriptionDropped{Error: err}}
}

func (s *fakeSub) Close() error {
	s.closed = true
	return nil
}
