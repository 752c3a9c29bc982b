package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
	"github.com/uivmm/uivmm/eventstore/storetest"
)

// openTemp opens a store in a new temporary file and closes it when t ends.
func openTemp(t testing.TB, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "events.db"), opts...)
}

// openAt opens a store on the file at path (several may share one) and
// closes it when t ends.
func openAt(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return openTemp(t) })
}
