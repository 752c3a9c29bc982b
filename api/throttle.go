package api

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/uivmm/uivmm/domain"
)

// throttle counts failed logins per key (a login name, a client address)
// in a sliding window. Safe for concurrent use. In-memory: each process
// throttles on its own.
type throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
	now    func() time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, fails: map[string][]time.Time{}, now: time.Now}
}

type retryAfter struct{ secs int }

func (r retryAfter) Error() string   { return fmt.Sprintf("retry after %d s", r.secs) }
func (r retryAfter) RetryAfter() int { return r.secs }

// check returns a 429 error when any key is over the limit.
func (t *throttle) check(keys ...string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys {
		fs := t.prune(k, now)
		if len(fs) >= t.max {
			wait := fs[0].Add(t.window).Sub(now)
			secs := int(math.Ceil(wait.Seconds()))
			return &domain.Error{Kind: domain.KindRateLimited, Detail: "too many failed attempts, try again later",
				Err: retryAfter{max(secs, 1)}}
		}
	}
	return nil
}

// fail records a failure for every key.
func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys {
		t.fails[k] = append(t.prune(k, now), now)
	}
}

// reset forgets key's failures (after a success).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func (t *throttle) prune(k string, now time.Time) []time.Time {
	fs := t.fails[k]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.fails, k)
		return nil
	}
	t.fails[k] = fs
	return fs
}
