package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/eventstore"
)

// TestStoreCopyCommand copies a SQLite store to another through the CLI,
// twice, and checks the copy and the progress file.
func TestStoreCopyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srcURL, dstURL := "sqlite:"+filepath.Join(dir, "a.db"), "sqlite:"+filepath.Join(dir, "b.db")
	src, err := app.OpenStore(ctx, srcURL)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		data, _ := json.Marshal(map[string]int{"i": i})
		if _, err := src.Append(ctx, "s", eventstore.Any(), eventstore.EventData{ID: uuid.NewString(), Type: "t", Data: data,
			Metadata: eventstore.Metadata{ActorKind: "system", RequestID: "r"}}); err != nil {
			t.Fatal(err)
		}
	}
	src.Close()
	for i := range 2 {
		var out, errb bytes.Buffer
		if err := run(ctx, []string{"store", "copy", "--from", srcURL, "--to", dstURL}, nil, &out, &errb); err != nil {
			t.Fatalf("run %d: %v (%s)", i, err, errb.String())
		}
		if !strings.Contains(out.String(), "copied the log up to source position 50") {
			t.Fatalf("run %d output %q", i, out.String())
		}
	}
	dst, err := app.OpenStore(ctx, dstURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	recs, err := dst.ReadAll(ctx, 0, 1000)
	if err != nil || len(recs) != 50 {
		t.Fatalf("destination has %d events (%v)", len(recs), err)
	}
	if pos, err := readState(filepath.Join(dir, "b.db.copy-state")); err != nil || pos != 50 {
		t.Fatalf("state %d %v", pos, err)
	}
}
