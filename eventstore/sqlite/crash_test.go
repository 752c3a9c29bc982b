package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/uivmm/uivmm/eventstore"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// crashEnv names the file the child of TestCrashDurability appends to.
const crashEnv = "UIVMM_SQLITE_CRASH_CHILD"

const crashWriters = 8

// ack is one event the child reported as appended.
type ack struct {
	stream   string
	revision uint64
	id       string
}

// crashData is the payload of a crash-test event, derived from its place so
// the parent can check it byte for byte.
func crashData(stream string, rev uint64, id string) string {
	return fmt.Sprintf(`{"stream":%q,"revision":%d,"id":%q,"pad":%q}`,
		stream, rev, id, strings.Repeat(strings.ReplaceAll(id, "-", ""), 3))
}

// TestCrashChildProcess is the child half of TestCrashDurability. Without
// crashEnv set it does nothing. With it set it appends with several
// goroutines until it is killed, printing "ack STREAM REVISION ID" for every
// event after its Append returned.
func TestCrashChildProcess(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return
	}
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var out sync.Mutex
	failed := make(chan error, crashWriters)
	for w := range crashWriters {
		go func() { failed <- crashWriter(t.Context(), s, fmt.Sprintf("crash-%d", w), &out) }()
	}
	t.Fatalf("child: %v", <-failed)
}

// crashWriter appends batches of one to three events to stream and acks
// each batch on stdout in one write.
func crashWriter(ctx context.Context, s *sqlite.Store, stream string, out *sync.Mutex) error {
	exp := eventstore.NoStream()
	for next := uint64(0); ; {
		n := 1 + next%3
		evs := make([]eventstore.EventData, n)
		var line strings.Builder
		for i := range evs {
			id := uuid.NewString()
			evs[i] = eventstore.EventData{ID: id, Type: "crash:appended",
				Data:     []byte(crashData(stream, next+uint64(i), id)),
				Metadata: eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: stream}}
			fmt.Fprintf(&line, "ack %s %d %s\n", stream, next+uint64(i), id)
		}
		res, err := s.Append(ctx, stream, exp, evs...)
		if err != nil {
			return err
		}
		out.Lock()
		_, err = io.WriteString(os.Stdout, line.String())
		out.Unlock()
		if err != nil {
			return err
		}
		exp, next = eventstore.Exact(res.NextRevision), res.NextRevision+1
	}
}

// TestCrashDurability runs the child under load, SIGKILLs it, reopens the
// file and checks that every acknowledged event is stored intact. SIGKILL
// loses no page cache, so this proves commit-before-ack ordering and crash
// recovery of the file, not power-loss durability (synchronous=FULL is what
// covers that).
func TestCrashDurability(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChildProcess$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("child stdout: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting child %s: %v", os.Args[0], err)
	}
	acks := make(chan ack, 1024)
	go readAcks(stdout, acks)

	got := collectUntilKill(t, cmd, acks, &stderr)
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || !exitErr.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr:\n%s", err, stderr.String())
	}
	t.Logf("child acknowledged %d events before SIGKILL", len(got))
	verifyAcks(t, path, got)
}

// readAcks parses complete "ack" lines from r into acks and closes acks at
// end of input. A line cut off by the kill is ignored.
func readAcks(r io.Reader, acks chan<- ack) {
	defer close(acks)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		var a ack
		if _, scanErr := fmt.Sscanf(line, "ack %s %d %s\n", &a.stream, &a.revision, &a.id); scanErr == nil {
			acks <- a
		}
	}
}

// collectUntilKill gathers acks for at least a second and 3000 events,
// SIGKILLs the child mid-load, then gathers what it printed before dying.
func collectUntilKill(t *testing.T, cmd *exec.Cmd, acks <-chan ack, stderr *bytes.Buffer) []ack {
	t.Helper()
	var got []ack
	start := time.Now()
	deadline := time.After(60 * time.Second)
	for len(got) < 3000 || time.Since(start) < time.Second {
		select {
		case a, ok := <-acks:
			if !ok {
				t.Fatalf("child stopped after %d acks before it was killed; stderr:\n%s", len(got), stderr.String())
			}
			got = append(got, a)
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("child acknowledged only %d events in 60s; stderr:\n%s", len(got), stderr.String())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("killing child: %v", err)
	}
	for a := range acks {
		got = append(got, a)
	}
	return got
}

// verifyAcks reopens the file and checks every acknowledged event.
func verifyAcks(t *testing.T, path string, acks []ack) {
	t.Helper()
	checkIntegrity(t, path)
	s := reopen(t, path)
	streams := map[string][]eventstore.RecordedEvent{}
	for w := range crashWriters {
		name := fmt.Sprintf("crash-%d", w)
		evs, err := s.ReadStream(t.Context(), name, 0)
		if err != nil {
			t.Fatalf("ReadStream(%s): %v", name, err)
		}
		streams[name] = evs
	}
	for _, a := range acks {
		evs := streams[a.stream]
		if a.revision >= uint64(len(evs)) {
			t.Fatalf("acknowledged %s@%d (%s) is missing: stream has %d events", a.stream, a.revision, a.id, len(evs))
		}
		ev := evs[a.revision]
		if ev.ID != a.id || ev.Revision != a.revision || string(ev.Data) != crashData(a.stream, a.revision, a.id) ||
			ev.Metadata.ActorName != a.stream || ev.Type != "crash:appended" {
			t.Fatalf("acknowledged %s@%d (%s) is not intact: %+v", a.stream, a.revision, a.id, ev)
		}
	}
	for name, evs := range streams {
		if len(evs) > 0 {
			last := evs[len(evs)-1].Revision
			if _, err := s.Append(t.Context(), name, eventstore.Exact(last), benchEvent()); err != nil {
				t.Fatalf("appending to %s after the crash: %v", name, err)
			}
		}
	}
}

// reopen opens the store at path and closes it when t ends.
func reopen(t *testing.T, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("reopening %s: %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// checkIntegrity runs SQLite's integrity check on the file at path.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q, %v", res, err)
	}
}
