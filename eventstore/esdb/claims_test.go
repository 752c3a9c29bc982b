package esdb

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
)

func TestClassify(t *testing.T) {
	ids := []string{"a", "b", "c"}
	at := func(stream string, rev uint64) *claim {
		return &claim{Stream: stream, Revision: rev, Position: 100 + rev}
	}
	cases := []struct {
		name    string
		claims  []*claim
		want    verdict
		base    uint64
		wantErr bool
	}{
		{"none claimed", []*claim{nil, nil, nil}, verdictFresh, 0, false},
		{"all stored from 0", []*claim{at("s", 0), at("s", 1), at("s", 2)}, verdictStored, 0, false},
		{"all stored from 5", []*claim{at("s", 5), at("s", 6), at("s", 7)}, verdictStored, 5, false},
		{"prefix claimed", []*claim{at("s", 3), at("s", 4), nil}, verdictPartial, 3, false},
		{"middle claimed", []*claim{nil, at("s", 4), nil}, verdictPartial, 3, false},
		{"other stream", []*claim{at("other", 0), nil, nil}, 0, 0, true},
		{"out of order", []*claim{at("s", 1), at("s", 0), nil}, 0, 0, true},
		{"gap", []*claim{at("s", 1), nil, at("s", 4)}, 0, 0, true},
		{"before the batch start", []*claim{nil, nil, at("s", 1)}, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, base, err := classify("s", ids, tc.claims)
			if tc.wantErr {
				if !errors.Is(err, errEventIDReused) {
					t.Fatalf("classify = %v, %d, %v; want errEventIDReused", v, base, err)
				}
				return
			}
			if err != nil || v != tc.want || base != tc.base {
				t.Fatalf("classify = %v, %d, %v; want %v, %d", v, base, err, tc.want, tc.base)
			}
		})
	}
}

func TestPlaceMatches(t *testing.T) {
	cases := []struct {
		name     string
		expected eventstore.ExpectedRevision
		base     uint64
		want     bool
	}{
		{"any at 0", eventstore.Any(), 0, true},
		{"any at 7", eventstore.Any(), 7, true},
		{"no stream at 0", eventstore.NoStream(), 0, true},
		{"no stream at 1", eventstore.NoStream(), 1, false},
		{"stream exists at 0", eventstore.StreamExists(), 0, false},
		{"stream exists at 3", eventstore.StreamExists(), 3, true},
		{"exact 0 at 1", eventstore.Exact(0), 1, true},
		{"exact 0 at 0", eventstore.Exact(0), 0, false},
		{"exact 2 at 1", eventstore.Exact(2), 1, false},
		{"exact max at 0", eventstore.Exact(^uint64(0)), 0, false},
	}
	for _, tc := range cases {
		if got := placeMatches(tc.expected, tc.base); got != tc.want {
			t.Errorf("%s: placeMatches(%s, %d) = %v, want %v", tc.name, tc.expected, tc.base, got, tc.want)
		}
	}
}

func TestClaimEventID(t *testing.T) {
	id := uuid.NewString()
	here := claim{Stream: "s", Revision: 3, Position: 10}
	if claimEventID(id, here) != claimEventID(id, claim{Stream: "s", Revision: 3, Position: 99}) {
		t.Fatal("claims of one place have different event IDs")
	}
	for _, other := range []claim{{Stream: "t", Revision: 3}, {Stream: "s", Revision: 4}} {
		if claimEventID(id, here) == claimEventID(id, other) {
			t.Fatalf("claims for %+v and %+v share an event ID", here, other)
		}
	}
	if claimEventID(id, here) == claimEventID(uuid.NewString(), here) {
		t.Fatal("claims of two IDs share an event ID")
	}
}

func TestValidStream(t *testing.T) {
	for _, ok := range []string{"server-1", "storetest-abc-s", "a"} {
		if err := validStream(ok); err != nil {
			t.Errorf("validStream(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "$all", "$$server-1", claimStream(uuid.NewString())} {
		if err := validStream(bad); err == nil {
			t.Errorf("validStream(%q) accepted a reserved name", bad)
		}
	}
}
