package commands_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/unique"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

func newRepo(t *testing.T) (*commands.Repo, eventstore.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg := domain.NewRegistry()
	unique.Register(reg)
	return commands.NewRepo(store, reg), store
}

func meta(req string) eventstore.Metadata {
	return eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: 1, RequestID: req, Command: "test"}
}

// TestConcurrentUpdatesLoseNothing: 16 writers take and release one claim
// concurrently; every decision is retried until it lands, none is lost.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	repo, store := newRepo(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := repo.Update(ctx, "counter", meta(""), func() domain.Aggregate { return unique.NewClaim("k") },
				func(a domain.Aggregate) error {
					c := a.(*unique.Claim)
					if c.Owner() == 0 {
						return c.Take(int64(i+1), "taken")
					}
					c.Release(c.Owner())
					return nil
				})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !domain.IsKind(err, domain.KindConflict) {
			t.Fatal(err)
		}
	}
	recs, _ := store.ReadStream(ctx, "counter", 0)
	for i, r := range recs {
		if r.Revision != uint64(i) {
			t.Fatalf("gap at %d", i)
		}
	}
	if len(recs) == 0 {
		t.Fatal("nothing written")
	}
}

// TestRetriedRequestIsIdempotent: the same request id decides once.
func TestRetriedRequestIsIdempotent(t *testing.T) {
	repo, store := newRepo(t)
	ctx := context.Background()
	id1, err := repo.NextID(ctx, "thing", meta("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := repo.NextID(ctx, "thing", meta("req-1"))
	id3, _ := repo.NextID(ctx, "thing", meta("req-2"))
	if id1 != 1 || id2 != 1 || id3 != 2 {
		t.Fatalf("ids %d %d %d", id1, id2, id3)
	}
	for range 2 {
		if err := repo.Claim(ctx, "login", "bob", 7, "taken", meta("req-3")); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := store.ReadStream(ctx, unique.ClaimStream("login", "bob"), 0)
	if len(recs) != 1 {
		t.Fatalf("claim written %d times", len(recs))
	}
	err = repo.Claim(ctx, "login", "BOB", 8, "taken", meta("req-4"))
	if !domain.IsKind(err, domain.KindConflict) {
		t.Fatalf("second owner: %v", err)
	}
}

// TestConflictAfterRetriesIs409: a stream that always moves under the
// handler ends in a conflict error, never a lost update.
func TestConflictAfterRetriesIs409(t *testing.T) {
	repo, store := newRepo(t)
	ctx := context.Background()
	attempts := 0
	_, err := repo.Update(ctx, "hot", meta(""), func() domain.Aggregate { return unique.NewClaim("k") },
		func(a domain.Aggregate) error {
			attempts++
			// Someone else writes between our load and our save.
			_, werr := store.Append(ctx, "hot", eventstore.Any(), eventstore.EventData{ID: newUUID(t), Type: unique.TypeReleased, Data: []byte(`{}`)})
			if werr != nil {
				t.Fatal(werr)
			}
			return a.(*unique.Claim).Take(1, "x")
		})
	if !domain.IsKind(err, domain.KindConflict) || !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		t.Fatalf("got %v", err)
	}
	if attempts != commands.MaxConflictRetries+1 {
		t.Fatalf("attempts %d", attempts)
	}
}
