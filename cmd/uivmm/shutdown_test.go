package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain/user"
	"github.com/uivmm/uivmm/eventstore/sqlite"
)

// Load shape of the shutdown test: bounded, loopback only.
const (
	loadWorkers   = 8
	loadPerWorker = 40
	termAfterOKs  = 16
)

// TestGracefulShutdownUnderLoadLosesNothing runs `uivmm serve` as a child
// process, registers users from several goroutines, sends SIGTERM in the
// middle, and then checks in the event log that every registration that
// was answered 200 was stored.
func TestGracefulShutdownUnderLoadLosesNothing(t *testing.T) {
	dir := t.TempDir()
	child := startChild(t, buildBinary(t, dir), dir)

	if code := get(t, "http://"+child.metricsAddr+"/metrics"); code != http.StatusOK {
		t.Errorf("GET /metrics on metrics.listen: %d", code)
	}
	if code := get(t, "http://"+child.addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the main listener with metrics.listen set: %d, want 404", code)
	}

	acked, afterTerm := runLoad(t, child)
	if err := child.wait(60 * time.Second); err != nil {
		t.Fatalf("uivmm serve did not exit cleanly after SIGTERM: %v\n%s", err, child.logs())
	}
	if len(acked) < termAfterOKs {
		t.Fatalf("only %d registrations acknowledged; the load did not run", len(acked))
	}
	t.Logf("%d registrations acknowledged, %d of them completed after SIGTERM", len(acked), afterTerm)

	stored := registeredLogins(t, filepath.Join(dir, "data", "events.db"))
	var lost []string
	for _, login := range acked {
		if !stored[login] {
			lost = append(lost, login)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d acknowledged registrations are missing from the log: %v", len(lost), lost)
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(child.logs(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "uivmm")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a running `uivmm serve`.
type child struct {
	cmd         *exec.Cmd
	addr        string
	metricsAddr string
	mu          sync.Mutex
	stderr      bytes.Buffer
	done        chan error
}

func (c *child) logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

func (c *child) wait(limit time.Duration) error {
	select {
	case err := <-c.done:
		return err
	case <-time.After(limit):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("still running after %s", limit)
	}
}

func startChild(t *testing.T, bin, dir string) *child {
	t.Helper()
	return startServe(t, bin, dir, "")
}

// readLog keeps stderr and learns the listen addresses from the log.
func (c *child) readLog(r io.Reader, ready chan<- struct{}) {
	sc := bufio.NewScanner(r)
	signalled := false
	for sc.Scan() {
		line := sc.Bytes()
		var rec struct{ Msg, Addr string }
		_ = json.Unmarshal(line, &rec)
		c.mu.Lock()
		c.stderr.Write(line)
		c.stderr.WriteByte('\n')
		switch rec.Msg {
		case "metrics serving":
			c.metricsAddr = rec.Addr
		case "uivmm serving":
			c.addr = rec.Addr
		}
		if !signalled && c.addr != "" && c.metricsAddr != "" {
			signalled = true
			close(ready)
		}
		c.mu.Unlock()
	}
	c.done <- c.cmd.Wait()
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// runLoad registers users until the server goes away, sending SIGTERM
// once termAfterOKs have succeeded. It returns the acknowledged logins and
// how many of those were answered after SIGTERM.
func runLoad(t *testing.T, c *child) (acked []string, afterTerm int) {
	var (
		mu      sync.Mutex
		oks     atomic.Int64
		termed  atomic.Bool
		term    sync.Once
		wg      sync.WaitGroup
		client  = &http.Client{Timeout: 30 * time.Second}
		baseURL = "http://" + c.addr + "/api/v1/user.register"
	)
	for w := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range loadPerWorker {
				login := fmt.Sprintf("load%02dx%03d", w, i)
				status, err := register(client, baseURL, login)
				if err != nil {
					if termed.Load() {
						return // the server has gone away, as it should
					}
					t.Errorf("%s before SIGTERM: %v", login, err)
					return
				}
				if status == http.StatusOK {
					mu.Lock()
					acked = append(acked, login)
					if termed.Load() {
						afterTerm++
					}
					mu.Unlock()
					if oks.Add(1) >= termAfterOKs {
						term.Do(func() {
							termed.Store(true)
							_ = c.cmd.Process.Signal(syscall.SIGTERM)
						})
					}
				}
			}
		}()
	}
	wg.Wait()
	term.Do(func() { _ = c.cmd.Process.Signal(syscall.SIGTERM) })
	return acked, afterTerm
}

func register(client *http.Client, url, login string) (int, error) {
	body := fmt.Sprintf(`{"user_login":%q,"user_email":"%s@example.com","user_password":"load-password","user_passwordRepeat":"load-password"}`, login, login)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/vnd.api+json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// registeredLogins reopens the store and returns the login of every
// user:registered event.
func registeredLogins(t *testing.T, path string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening the store: %v", err)
	}
	defer store.Close()
	out := map[string]bool{}
	var after uint64
	for {
		recs, err := store.ReadAll(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		for _, rec := range recs {
			if rec.Type == user.TypeRegistered {
				var ev user.Registered
				if err := json.Unmarshal(rec.Data, &ev); err != nil {
					t.Fatal(errors.Join(fmt.Errorf("decoding event %d", rec.Position), err))
				}
				out[ev.Login] = true
			}
		}
		after = recs[len(recs)-1].Position
	}
}
