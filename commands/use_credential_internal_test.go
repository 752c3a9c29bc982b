package commands

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/credential"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/passkey"
)

// TestConcurrentUsesOneWins: logins racing on one credential, each having
// loaded it at the same revision, record their counters; exactly one
// lands and the others are refused with a 409, not retried.
func TestConcurrentUsesOneWins(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	reg := domain.NewRegistry()
	credential.Register(reg)
	d := Deps{Repo: NewRepo(store, reg)}
	raw := []byte("credential-raw-id")
	keyID := base64.RawURLEncoding.EncodeToString(raw)
	if _, err := d.Repo.Update(ctx, credential.Stream(1), eventstore.Metadata{RequestID: "reg"},
		func() domain.Aggregate { return credential.New() },
		func(a domain.Aggregate) error {
			return a.(*credential.Credential).Register(credential.Registration{ID: 1, UserID: 7, KeyID: keyID,
				PublicKey: []byte{0xa5}, SignCount: 1}, d.now())
		}); err != nil {
		t.Fatal(err)
	}

	const n = 8
	copies := make([]*credential.Credential, n)
	for i := range copies {
		copies[i] = credential.New()
		if _, err := d.Repo.Load(ctx, credential.Stream(1), copies[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			meta := eventstore.Metadata{RequestID: "use-" + string(rune('a'+i)), Command: "credential.use"}
			errs[i] = d.recordUse(ctx, meta, copies[i:i+1], passkey.LoginResult{CredentialID: raw, NewSignCount: uint32(2 + i)})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case domain.IsKind(err, domain.KindConflict):
			if de, _ := domain.As(err); de.Detail != DetailPasskeyRace {
				t.Fatalf("detail %q", de.Detail)
			}
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d uses landed, want exactly 1", wins)
	}
	recs, err := store.ReadStream(ctx, credential.Stream(1), 0)
	if err != nil || len(recs) != 2 {
		t.Fatalf("stream has %d events (%v), want registered + one used", len(recs), err)
	}
}

// TestPasskeyErrorsAre400s: every sentinel of package passkey becomes a
// 400 with its own detail, keeping the cause for the log.
func TestPasskeyErrorsAre400s(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range passkeyErrors {
		err := passkeyError(m.sentinel)
		de, ok := domain.As(err)
		if !ok || de.Kind != domain.KindInvalid || de.Detail != m.detail || de.Err != m.sentinel {
			t.Fatalf("%v mapped to %#v", m.sentinel, err)
		}
		if seen[m.detail] {
			t.Fatalf("detail %q used twice", m.detail)
		}
		seen[m.detail] = true
	}
}
