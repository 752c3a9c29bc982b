package simplestreams

import (
	"slices"
	"time"
)

// PruneCandidates returns the serials of one product's versions that are
// due for pruning: published more than lifetime before now. The newest
// version (latest Published, ties broken by the greater serial) is never a
// candidate, so a product never loses its last image. Call it once per
// product. lifetime <= 0 disables pruning (nil). The result is sorted; the
// input is not modified.
func PruneCandidates(versions []PublishedVersion, now time.Time, lifetime time.Duration) []string {
	if lifetime <= 0 || len(versions) < 2 {
		return nil
	}
	newest := versions[0]
	for _, v := range versions[1:] {
		if newerThan(v, newest) {
			newest = v
		}
	}
	cutoff := now.Add(-lifetime)
	var out []string
	for _, v := range versions {
		if v.Serial != newest.Serial && v.Published.Before(cutoff) {
			out = append(out, v.Serial)
		}
	}
	slices.Sort(out)
	return out
}

func newerThan(a, b PublishedVersion) bool {
	if !a.Published.Equal(b.Published) {
		return a.Published.After(b.Published)
	}
	return a.Serial > b.Serial
}
