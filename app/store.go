package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/esdb"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// OpenStore opens the event store a URL names: "sqlite:<path>" (the
// default, embedded) or "esdb://..." / "esdb+discover://..." (EventStoreDB).
func OpenStore(ctx context.Context, url string) (eventstore.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(url, "esdb://"), strings.HasPrefix(url, "esdb+discover://"):
		return esdb.Open(ctx, url)
	default:
		return nil, fmt.Errorf("unknown event store url %q: want sqlite:<path> or esdb://", url)
	}
}
