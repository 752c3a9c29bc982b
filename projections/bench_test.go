package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/domain/token"
	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

// fillLog appends n events (users registering, activating, logging in and
// out) to store, in large appends.
func fillLog(tb testing.TB, store eventstore.Store, n int) {
	ctx := context.Background()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: "bench"}
	mk := func(typ string, v any) eventstore.EventData {
		data, _ := json.Marshal(v)
		return eventstore.EventData{ID: uuid.NewString(), Type: typ, Data: data, Metadata: meta}
	}
	users := int64(n+4) / 5
	var wg sync.WaitGroup
	for w := int64(0); w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := w + 1; id <= users; id += 32 {
				appendUser(tb, ctx, store, id, mk)
			}
		}()
	}
	wg.Wait()
}

func appendUser(tb testing.TB, ctx context.Context, store eventstore.Store, id int64, mk func(string, any) eventstore.EventData) {
	{
		at := int64(1_700_000_000) + id
		evs := []eventstore.EventData{
			mk(user.TypeRegistered, user.Registered{UserID: id, Login: fmt.Sprintf("u%d", id), Email: fmt.Sprintf("u%d@example.com", id), Group: 4, PasswordHash: "$argon2id$x", At: at}),
			mk(user.TypeCodeIssued, user.CodeIssued{Purpose: user.PurposeRegister, CodeHash: fmt.Sprintf("%064d", id), ExpiresAt: at + 86400, At: at}),
			mk(user.TypeActivated, user.Activated{CodeHash: fmt.Sprintf("%064d", id), At: at}),
		}
		if _, err := store.Append(ctx, user.Stream(id), eventstore.NoStream(), evs...); err != nil {
			tb.Fatal(err)
		}
		tev := []eventstore.EventData{
			mk(token.TypeIssued, token.Issued{TokenID: id, UserID: id, Kind: token.TypeLogin, Name: uuid.NewString(), Hash: uuid.NewString(), StartAt: at, ExpiresAt: at + 3600}),
			mk(token.TypeRevoked, token.Revoked{Reason: "logout", At: at + 10}),
		}
		if _, err := store.Append(ctx, token.Stream(id), eventstore.NoStream(), tev...); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRebuild replays a log of UIVMM_BENCH_EVENTS events (default
// 1,000,000) into fresh read models and reports events/s.
func BenchmarkRebuild(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("UIVMM_BENCH_EVENTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	dir := b.TempDir()
	if d := os.Getenv("UIVMM_BENCH_DIR"); d != "" {
		dir = d
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	// A log left in UIVMM_BENCH_DIR by an earlier run is reused as it is.
	if head, _ := store.Head(ctx); head == 0 {
		t0 := time.Now()
		fillLog(b, store, n)
		b.Logf("filled %d events in %s", n, time.Since(t0))
	}
	head, _ := store.Head(ctx)
	// Reopen, so the log is checkpointed out of the WAL as a log at rest is.
	store.Close()
	if store, err = sqlite.Open(ctx, filepath.Join(dir, "events.db")); err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	// Measured as `uivmm projections rebuild` runs it.
	defer debug.SetGCPercent(debug.SetGCPercent(projections.RebuildGCPercent))
	b.ResetTimer()
	var spent, cpu time.Duration
	for i := 0; i < b.N; i++ {
		rm := filepath.Join(dir, fmt.Sprintf("rm%d.db", i))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(rm + suffix)
		}
		db, err := readmodels.Open(ctx, rm)
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), cpuTime()
		if err := projections.Rebuild(ctx, store, app.Registry(), db, app.Projectors(), nil); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
		cpu += cpuTime() - cpu0
		db.Close()
	}
	b.ReportMetric(float64(head)*float64(b.N)/spent.Seconds(), "events/s")
	// CPU per event (both goroutines, the collector included) varies
	// less from run to run than the wall time on a shared machine.
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/(float64(head)*float64(b.N)), "cpu-µs/event")
}

// cpuTime is this process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
