package projections_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

// slowProjector applies its events late, as a projection behind a busy
// database would.
type slowProjector struct{ projections.Projector }

func (p slowProjector) Apply(ctx context.Context, tx readmodels.Tx, rec eventstore.RecordedEvent, ev domain.Event) error {
	time.Sleep(50 * time.Millisecond)
	return p.Projector.Apply(ctx, tx, rec, ev)
}

// A listener (the event stream) gets an event only once the read models
// hold it: a client that reads them when the event arrives finds it.
func TestListenersComeAfterTheProjections(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := readmodels.Open(ctx, filepath.Join(dir, "readmodels.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := slowProjector{projections.NewUsersProjector()}
	if err := db.Ensure(ctx, users.Model()); err != nil {
		t.Fatal(err)
	}
	r := projections.NewRunner(store, app.Registry(), db, slog.New(slog.NewTextHandler(io.Discard, nil)), users)
	seen := make(chan error, 10)
	r.AddListener("check", func(ctx context.Context, rec eventstore.RecordedEvent) {
		if rec.Type == user.TypeRegistered {
			_, err := db.UserByID(ctx, 42)
			seen <- err
		}
	})
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	data, _ := json.Marshal(user.Registered{UserID: 42, Login: "ann", Email: "ann@example.com", Group: 4, At: 1})
	if _, err := store.Append(ctx, user.Stream(42), eventstore.NoStream(), eventstore.EventData{ID: uuid.NewString(),
		Type: user.TypeRegistered, Data: data, Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-seen:
		if err != nil {
			t.Fatalf("the listener ran before the projection had the user: %v", err)
		}
	case err := <-done:
		t.Fatalf("runner stopped: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never got the event")
	}
}
