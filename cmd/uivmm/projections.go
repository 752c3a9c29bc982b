package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/projections"
	"github.com/uivmm/uivmm/readmodels"
)

// projectionsCmd: `uivmm projections rebuild [name...]` drops read models
// and replays the log from position 0, with a progress bar. Run it while
// the server on that data directory is stopped.
func projectionsCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return errors.New("usage: uivmm projections rebuild [name...] [--data-dir DIR]")
	}
	fs := flag.NewFlagSet("projections rebuild", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := configFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	chosen, err := pickProjectors(fs.Args())
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg.EventStoreURL())
	if err != nil {
		return err
	}
	defer store.Close()
	db, err := readmodels.Open(ctx, filepath.Join(cfg.DataDir, "readmodels.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	defer debug.SetGCPercent(debug.SetGCPercent(projections.RebuildGCPercent))
	start := time.Now()
	bar := newProgress(e.stderr)
	if err := projections.Rebuild(ctx, store, app.Registry(), db, chosen, bar.update); err != nil {
		return err
	}
	bar.done()
	names := make([]string, len(chosen))
	for i, p := range chosen {
		names[i] = p.Model().Name
	}
	fmt.Fprintf(e.stdout, "rebuilt %s in %s\n", strings.Join(names, ", "), time.Since(start).Round(time.Millisecond))
	return nil
}

func pickProjectors(names []string) ([]projections.Projector, error) {
	all := app.Projectors()
	if len(names) == 0 {
		return all, nil
	}
	var out []projections.Projector
	for _, n := range names {
		found := false
		for _, p := range all {
			if p.Model().Name == n {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown projection %q", n)
		}
	}
	return out, nil
}
