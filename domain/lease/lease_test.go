package lease_test

import (
	"errors"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain/lease"
)

func TestLeaseGivenWhenThen(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	ttl := 10 * time.Second
	cases := []struct {
		name    string
		given   func(l *lease.Lease)
		when    func(l *lease.Lease) error
		wantErr error
		events  []string
	}{
		{"free lease is acquired", func(*lease.Lease) {}, func(l *lease.Lease) error { return l.Acquire("a", t0, ttl) }, nil, []string{lease.TypeAcquired}},
		{"held lease is refused", func(l *lease.Lease) { l.When(&lease.Acquired{Holder: "a", ExpiresAt: t0.Add(ttl).UnixMilli()}) },
			func(l *lease.Lease) error { return l.Acquire("b", t0.Add(time.Second), ttl) }, lease.ErrHeld, nil},
		{"expired lease is taken over", func(l *lease.Lease) { l.When(&lease.Acquired{Holder: "a", ExpiresAt: t0.Add(ttl).UnixMilli()}) },
			func(l *lease.Lease) error { return l.Acquire("b", t0.Add(ttl), ttl) }, nil, []string{lease.TypeAcquired}},
		{"holder renews", func(l *lease.Lease) { l.When(&lease.Acquired{Holder: "a", ExpiresAt: t0.Add(ttl).UnixMilli()}) },
			func(l *lease.Lease) error { return l.Acquire("a", t0.Add(time.Second), ttl) }, nil, []string{lease.TypeRenewed}},
		{"non-holder cannot checkpoint", func(l *lease.Lease) { l.When(&lease.Acquired{Holder: "a", ExpiresAt: t0.Add(ttl).UnixMilli()}) },
			func(l *lease.Lease) error { return l.Advance("b", 5, t0) }, lease.ErrNotHolder, nil},
		{"checkpoint never goes back", func(l *lease.Lease) {
			l.When(&lease.Acquired{Holder: "a", ExpiresAt: t0.Add(ttl).UnixMilli()})
			l.When(&lease.Checkpoint{Holder: "a", Position: 9})
		}, func(l *lease.Lease) error { return l.Advance("a", 5, t0) }, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := lease.New()
			tc.given(l)
			err := tc.when(l)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			var got []string
			for _, e := range l.Root().Changes() {
				got = append(got, e.EventType())
			}
			if len(got) != len(tc.events) {
				t.Fatalf("events %v, want %v", got, tc.events)
			}
			for i := range got {
				if got[i] != tc.events[i] {
					t.Fatalf("events %v, want %v", got, tc.events)
				}
			}
		})
	}
}
