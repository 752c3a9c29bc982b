package simplestreams_test

import (
	"slices"
	"testing"
	"time"

	ss "github.com/uivmm/uivmm/simplestreams"
)

func TestPruneCandidates(t *testing.T) {
	now := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	v := func(serial string, age time.Duration) ss.PublishedVersion {
		return ss.PublishedVersion{Serial: serial, Published: now.Add(-age)}
	}
	tests := []struct {
		name     string
		versions []ss.PublishedVersion
		lifetime time.Duration
		want     []string
	}{
		{"nothing", nil, day, nil},
		{"single old version kept", []ss.PublishedVersion{v("20260101", 300*day)}, day, nil},
		{"old ones pruned, newest kept",
			[]ss.PublishedVersion{v("20261201", 30*day), v("20261220", 11*day), v("20261230", 1*day), v("20261101", 60*day)},
			10 * day, []string{"20261101", "20261201", "20261220"}},
		{"all old: newest still kept",
			[]ss.PublishedVersion{v("20260101", 90*day), v("20260201", 60*day)}, day, []string{"20260101"}},
		{"exactly lifetime old is kept",
			[]ss.PublishedVersion{v("20261201", 10*day), v("20261230", 0)}, 10 * day, nil},
		{"newest by publish time, not serial",
			[]ss.PublishedVersion{v("20261230", 40*day), v("20261101", 35*day)}, day, []string{"20261230"}},
		{"same publish time: greater serial kept",
			[]ss.PublishedVersion{v("20261201_1", 40*day), v("20261201_2", 40*day)}, day, []string{"20261201_1"}},
		{"lifetime 0 disables",
			[]ss.PublishedVersion{v("20260101", 90*day), v("20260201", 60*day)}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ss.PruneCandidates(tc.versions, now, tc.lifetime); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
