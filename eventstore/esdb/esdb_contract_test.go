//go:build esdb

package esdb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/esdb"
	"github.com/uivmm/uivmm/eventstore/storetest"
)

// urlEnv names the EventStoreDB connection string the contract suite runs
// against, e.g. esdb://127.0.0.1:2113?tls=false.
const urlEnv = "UIVMM_TEST_ESDB_URL"

// TestContract runs the event store contract suite against a real
// EventStoreDB server. It is built only with -tags esdb (make test-esdb)
// and fails, never skips, when the server is not configured or not
// reachable: a run that asked for it must not pass without it.
func TestContract(t *testing.T) {
	url := os.Getenv(urlEnv)
	if url == "" {
		t.Fatalf("%s is empty: set it to an EventStoreDB connection string, "+
			"e.g. %s='esdb://127.0.0.1:2113?tls=false' make test-esdb", urlEnv, urlEnv)
	}
	if err := open(t, url).Close(); err != nil {
		t.Fatalf("closing the probe store: %v", err)
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store { return open(t, url) })
}

// open opens a store on url for t and closes it when t ends; the suite may
// have closed it already, which Close tolerates.
func open(t *testing.T, url string) *esdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := esdb.Open(ctx, url)
	if err != nil {
		t.Fatalf("cannot reach EventStoreDB at %s=%q: %v", urlEnv, url, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
