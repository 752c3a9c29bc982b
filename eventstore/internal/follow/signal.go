package follow

import "sync"

// Signal is a broadcast wake-up: Notify wakes every goroutine waiting on a
// channel that Wait returned before the Notify. A Signal is safe for
// concurrent use; create one with NewSignal.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewSignal returns a Signal nobody has been notified on yet.
func NewSignal() *Signal { return &Signal{ch: make(chan struct{})} }

// Wait returns a channel that the next Notify closes. Take it before
// checking the condition waited for, so that a Notify between the check and
// the wait is not lost.
func (s *Signal) Wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

// Notify wakes every current waiter. It never blocks.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}
