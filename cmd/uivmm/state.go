package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
)

// stateCmd: `uivmm state --at <position|RFC3339> <aggregate> <id>` folds
// the aggregate's events up to that point and prints its state as JSON
// (without --at: as of now).
func stateCmd(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := configFlags(fs)
	atFlag := fs.String("at", "", "a log position, or an RFC3339 time (default: now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 2 { // flags after the arguments
		if err := fs.Parse(rest[2:]); err != nil {
			return err
		}
		args = rest[:2]
	} else {
		args = rest
	}
	kinds := app.Aggregates()
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(args) != 2 {
		return fmt.Errorf("usage: uivmm state [--at <position|RFC3339>] <aggregate> <id>; aggregates: %s", strings.Join(names, ", "))
	}
	kind, ok := kinds[args[0]]
	if !ok {
		return fmt.Errorf("unknown aggregate %q; known: %s", args[0], strings.Join(names, ", "))
	}
	streamName, err := kind.Stream(args[1])
	if err != nil {
		return err
	}
	before, err := parseAt(*atFlag)
	if err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg.EventStoreURL())
	if err != nil {
		return err
	}
	defer store.Close()
	recs, err := store.ReadStream(ctx, streamName, 0)
	if err != nil {
		return err
	}
	agg, reg := kind.New(), app.Registry()
	var last *eventstore.RecordedEvent
	for i := range recs {
		if !before(recs[i]) {
			break
		}
		ev, err := reg.Decode(recs[i].Type, recs[i].Data)
		if err != nil {
			return fmt.Errorf("%s@%d: %w", streamName, recs[i].Revision, err)
		}
		agg.When(ev)
		agg.Root().Loaded(recs[i].Revision)
		last = &recs[i]
	}
	if last == nil {
		return fmt.Errorf("%s %s did not exist at %s", args[0], args[1], orNow(*atFlag))
	}
	out, err := json.MarshalIndent(map[string]any{
		"aggregate": args[0], "id": args[1], "stream": streamName, "revision": last.Revision,
		"position": last.Position, "time": last.Time.UTC().Format(time.RFC3339Nano), "state": kind.State(agg),
	}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", out)
	return err
}

// parseAt returns a test for "recorded at or before --at".
func parseAt(at string) (func(eventstore.RecordedEvent) bool, error) {
	if at == "" {
		return func(eventstore.RecordedEvent) bool { return true }, nil
	}
	if pos, err := strconv.ParseUint(at, 10, 64); err == nil {
		return func(r eventstore.RecordedEvent) bool { return r.Position <= pos }, nil
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, fmt.Errorf("--at %q: want a position or an RFC3339 time such as 2025-01-31T14:02:00Z", at)
	}
	return func(r eventstore.RecordedEvent) bool { return !r.Time.After(t) }, nil
}

func orNow(at string) string {
	if at == "" {
		return "now"
	}
	return at
}
