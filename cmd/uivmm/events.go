package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/stream"
)

// eventFilter selects events of the history. Zero fields select all.
type eventFilter struct {
	stream, typ, actor, requestID string
	since, until                  time.Time
	from, to                      uint64 // inclusive positions; to 0 = no end
}

func (f *eventFilter) match(rec eventstore.RecordedEvent) bool {
	md := rec.Metadata
	switch {
	case f.stream != "" && rec.Stream != f.stream,
		f.typ != "" && rec.Type != f.typ,
		f.requestID != "" && md.RequestID != f.requestID,
		rec.Position < f.from, f.to != 0 && rec.Position > f.to,
		!f.since.IsZero() && rec.Time.Before(f.since),
		!f.until.IsZero() && rec.Time.After(f.until):
		return false
	}
	return f.actor == "" || actorMatches(md, f.actor)
}

// actorMatches: a user id, a name (a login), or a kind for actors
// without a name ("anonymous").
func actorMatches(md eventstore.Metadata, actor string) bool {
	if id, err := strconv.ParseInt(actor, 10, 64); err == nil {
		return md.ActorKind == eventstore.ActorUser && md.ActorID == id
	}
	if md.ActorName != "" {
		return strings.EqualFold(md.ActorName, actor)
	}
	return strings.EqualFold(md.ActorKind, actor)
}

// eventsCmd: `uivmm events` lists the history from the event store,
// filtered; --follow keeps printing new events. It opens the store
// directly, so it works on a stopped server's data directory and beside
// a running one (SQLite in WAL mode allows a second process).
func eventsCmd(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := configFlags(fs)
	var f eventFilter
	fs.StringVar(&f.stream, "stream", "", "only this stream (user-7, token-3, ...)")
	fs.StringVar(&f.typ, "type", "", "only this event type (token:issued, ...)")
	fs.StringVar(&f.actor, "actor", "", "only events caused by this actor: a user id, a login, or a kind (system, anonymous)")
	fs.StringVar(&f.requestID, "request-id", "", "only events of this request")
	since := fs.String("since", "", "only events at or after this time (RFC3339)")
	until := fs.String("until", "", "only events at or before this time (RFC3339)")
	fs.Uint64Var(&f.from, "from", 0, "first position (inclusive)")
	fs.Uint64Var(&f.to, "to", 0, "last position (inclusive; 0: no limit)")
	follow := fs.Bool("follow", false, "keep printing new events until interrupted")
	asJSON := fs.Bool("json", false, "one JSON object per line (the event stream's sanitised message)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if f.since, err = parseTime("since", *since); err != nil {
		return err
	}
	if f.until, err = parseTime("until", *until); err != nil {
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
	p := &eventPrinter{w: e.stdout, json: *asJSON, cat: stream.NewCatalog()}
	p.header()
	return listEvents(ctx, store, &f, *follow, p.print)
}

func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s: want an RFC3339 time such as 2025-01-31T14:02:00Z", name)
	}
	return t, nil
}

// errPastEnd ends a follow that reached --to.
var errPastEnd = errors.New("past the last position asked for")

// listEvents pages through the log (or follows it) and prints matches.
func listEvents(ctx context.Context, store eventstore.Store, f *eventFilter, follow bool, print func(eventstore.RecordedEvent) error) error {
	after := uint64(0)
	if f.from > 0 {
		after = f.from - 1
	}
	h := func(ctx context.Context, rec eventstore.RecordedEvent) error {
		if f.to != 0 && rec.Position > f.to {
			return errPastEnd
		}
		if f.match(rec) {
			return print(rec)
		}
		return nil
	}
	if follow {
		err := store.Subscribe(ctx, after, h)
		if errors.Is(err, errPastEnd) || errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	for {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil {
			return err
		}
		for _, rec := range page {
			if err := h(ctx, rec); err != nil {
				if errors.Is(err, errPastEnd) {
					return nil
				}
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].Position
	}
}

// eventPrinter prints events as a table or as JSON lines.
type eventPrinter struct {
	w    io.Writer
	json bool
	cat  *stream.Catalog
}

const eventRow = "%-8s %-20s %-24s %-24s %-22s %-36s %s\n"

func (p *eventPrinter) header() {
	if !p.json {
		fmt.Fprintf(p.w, eventRow, "POSITION", "TIME", "STREAM", "TYPE", "ACTOR", "REQUEST", "DATA")
	}
}

func (p *eventPrinter) print(rec eventstore.RecordedEvent) error {
	m := p.cat.Message(rec)
	if p.json {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	}
	md := rec.Metadata
	actor := md.ActorKind
	if md.ActorKind == eventstore.ActorUser {
		actor = fmt.Sprintf("user %d", md.ActorID)
	}
	if md.ActorName != "" {
		actor += " (" + md.ActorName + ")"
	}
	_, err := fmt.Fprintf(p.w, eventRow, strconv.FormatUint(rec.Position, 10), rec.Time.UTC().Format(time.RFC3339),
		rec.Stream, rec.Type, actor, orDash(md.RequestID), truncate(string(m.Data), 80))
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
