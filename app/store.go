package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/esdb"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// OpenStore opens the event store a URL names: "sqlite:<path>" (the
// default, embedded) or "esdb://..." / "esdb+discover://..." (EventStoreDB).
// A SQLite URL may end in "?commit_delay=<duration>": how long a commit
// may wait for other callers' appends (default 2ms, 0 never waits).
func OpenStore(ctx context.Context, url string) (eventstore.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path, opts, err := sqliteURL(url)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
		return sqlite.Open(ctx, path, opts...)
	case strings.HasPrefix(url, "esdb://"), strings.HasPrefix(url, "esdb+discover://"):
		return esdb.Open(ctx, url)
	default:
		return nil, fmt.Errorf("unknown event store url %q: want sqlite:<path> or esdb://", url)
	}
}

// sqliteURL splits "sqlite:<path>[?commit_delay=<duration>]" into the
// file's path and the store's options.
func sqliteURL(raw string) (string, []sqlite.Option, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//"), "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", nil, fmt.Errorf("event store url %q: %w", raw, err)
	}
	var opts []sqlite.Option
	for key, vals := range params {
		switch key {
		case "commit_delay":
			d, err := time.ParseDuration(vals[len(vals)-1])
			if err != nil {
				return "", nil, fmt.Errorf("event store url %q: commit_delay: %w", raw, err)
			}
			opts = append(opts, sqlite.WithCommitDelay(d))
		default:
			return "", nil, fmt.Errorf("event store url %q: unknown parameter %q (want commit_delay)", raw, key)
		}
	}
	return path, opts, nil
}
