package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
)

// storeCmd: `uivmm store copy --from URL --to URL [--state FILE]` copies
// the whole log, keeping order, ids, types, data and metadata. It saves
// its progress in the state file after every batch and resumes from it;
// running it again changes nothing (appends are idempotent).
func storeCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		return errors.New("usage: uivmm store copy --from URL --to URL [--state FILE]")
	}
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "source event store URL (sqlite:<path> or esdb://...)")
	to := fs.String("to", "", "destination event store URL")
	statePath := fs.String("state", "", "progress file (default <destination path>.copy-state, or ./uivmm-copy.state)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		return errors.New("--from and --to are required and must differ")
	}
	if *statePath == "" {
		*statePath = defaultStatePath(*to)
	}
	src, err := app.OpenStore(ctx, *from)
	if err != nil {
		return fmt.Errorf("opening source: %w", err)
	}
	defer src.Close()
	dst, err := app.OpenStore(ctx, *to)
	if err != nil {
		return fmt.Errorf("opening destination: %w", err)
	}
	defer dst.Close()
	after, err := readState(*statePath)
	if err != nil {
		return err
	}
	start := time.Now()
	bar := newProgress(e.stderr)
	last, err := eventstore.Copy(ctx, src, dst, after, func(pos uint64) error { return writeState(*statePath, pos) }, bar.update)
	bar.done()
	if err != nil {
		return fmt.Errorf("copy stopped after position %d (run again to resume): %w", last, err)
	}
	fmt.Fprintf(e.stdout, "copied the log up to source position %d in %s\n", last, time.Since(start).Round(time.Millisecond))
	return nil
}

func defaultStatePath(url string) string {
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok {
		return p + ".copy-state"
	}
	return "uivmm-copy.state"
}

func readState(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading copy state: %w", err)
	}
	pos, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("copy state %s is not a position: %w", path, err)
	}
	return pos, nil
}

func writeState(path string, pos uint64) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatUint(pos, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
