package stream

import (
	"context"
	"fmt"
)

// catchUp sends, once, the events after s.after that the log holds and s
// may see. Events the live queue also holds are skipped later by
// position, so the hand-over has no gap and no duplicate. While it runs,
// a full queue drops live messages rather than the subscriber (they are
// in the log): the queue is then emptied and the log read again, until a
// pass ends with nothing dropped.
func (s *subscriber) catchUp(ctx context.Context, t transport) error {
	if s.caughtUp {
		return nil
	}
	s.caughtUp = true
	s.lastSent = s.after
	for catching := true; ; {
		if err := s.readLog(ctx, t); err != nil {
			return err
		}
		if !s.overrun.Swap(false) {
			if !catching {
				return nil
			}
			// Live from now on; a drop just before this is caught by one
			// more (short) pass.
			s.catchingUp.Store(false)
			catching = false
			if !s.overrun.Swap(false) {
				return nil
			}
		}
		if err := s.discardQueued(ctx, t); err != nil {
			return err
		}
	}
}

// discardQueued empties the queue after an overrun: its stored events
// are read again from the log; hub messages (event.auth) are sent.
func (s *subscriber) discardQueued(ctx context.Context, t transport) error {
	var keep []*event
	for len(s.queue) > 0 {
		evs := <-s.queue
		s.queued.Add(-int64(len(evs)))
		for _, ev := range evs {
			if ev.synthetic {
				keep = append(keep, ev)
			}
		}
	}
	return s.deliver(ctx, t, keep)
}

// readLog sends the visible events after s.lastSent, to the log's end.
func (s *subscriber) readLog(ctx context.Context, t transport) error {
	h := s.hub
	for after := s.lastSent; ; {
		page, err := h.store.ReadAll(ctx, after, h.cfg.CatchUpPage)
		if err != nil {
			return fmt.Errorf("catching up after %d: %w", after, err)
		}
		if len(page) == 0 {
			return nil
		}
		p := s.principal.Load()
		evs := make([]*event, 0, len(page))
		for _, rec := range page {
			after = rec.Position
			if h.cat.Hidden(rec) {
				continue
			}
			if ev := h.newEvent(ctx, rec); ev.visibleTo(p) {
				evs = append(evs, ev)
			}
		}
		if err := s.deliver(ctx, t, evs); err != nil {
			return err
		}
		if len(page) < h.cfg.CatchUpPage {
			return nil
		}
	}
}
