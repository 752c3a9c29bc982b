package projections_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/app/apptest"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

func allTables() []string {
	var out []string
	for _, p := range app.Projectors() {
		out = append(out, p.Model().Tables...)
	}
	return out
}

// TestRebuildEqualsLive drives the API, stops the server, hashes every
// read-model row, rebuilds from position 0 and hashes again.
func TestRebuildEqualsLive(t *testing.T) {
	env := apptest.Start(t)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := fmt.Sprintf("user%d", i)
			_, tok := env.AddUser(login, 2+i%3)
			env.MustOK("user.logout", tok, nil)
			env.MustOK("user.login", "", map[string]any{"user_login": login, "user_password": apptest.Password(login)})
		}()
	}
	wg.Wait()
	env.MustOK("user.register", "", map[string]any{"user_login": "pending", "user_email": "p@example.com",
		"user_password": "longenough1", "user_passwordRepeat": "longenough1"})
	events := len(env.Events())
	env.Stop()

	ctx := context.Background()
	db, err := readmodels.Open(ctx, filepath.Join(env.DataDir, "readmodels.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	live, err := db.HashTables(ctx, allTables())
	if err != nil {
		t.Fatal(err)
	}
	store, err := app.OpenStore(ctx, env.Config.EventStoreURL())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var calls int
	err = projections.Rebuild(ctx, store, app.Registry(), db, app.Projectors(), func(done, head uint64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, err := db.HashTables(ctx, allTables())
	if err != nil {
		t.Fatal(err)
	}
	if live != rebuilt {
		t.Fatalf("rebuilt read models differ from live ones (%d events)", events)
	}
	if calls == 0 {
		t.Fatal("no progress reported")
	}
	var users int
	if err := db.R.QueryRow(`SELECT count(*) FROM users`).Scan(&users); err != nil || users != 7 {
		t.Fatalf("users after rebuild: %d %v", users, err)
	}
	cp, err := readmodels.Checkpoint(ctx, db.R, "users")
	head, _ := store.Head(ctx)
	if err != nil || cp != head {
		t.Fatalf("checkpoint %d, head %d, %v", cp, head, err)
	}
}

// TestRestartResumes: a server started again on the same data directory
// resumes from its checkpoints and serves the same state.
func TestRestartResumes(t *testing.T) {
	env := apptest.Start(t)
	_, tok := env.AddUser("frank", 4)
	env.Stop()
	env2 := apptest.StartWith(t, env.Config)
	r := env2.MustOK("user.get", tok, nil)
	if r.Attrs()["login"] != "frank" {
		t.Fatalf("after restart: %s", r.Raw)
	}
	if n := len(env2.Events()); n == 0 {
		t.Fatal("log lost")
	}
}
