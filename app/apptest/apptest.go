package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/config"
	"github.com/uivmm/uivmm/eventstore"
)

// Env is one running uivmm under test.
type Env struct {
	T       testing.TB
	App     *app.App
	Server  *httptest.Server
	URL     string
	DataDir string
	Config  config.Config
	Logs    *SafeBuffer
	cancel  context.CancelFunc
	done    chan error
}

// SafeBuffer is a bytes.Buffer safe for concurrent writes (the log).
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start runs uivmm on a fresh temporary data directory. mods adjust the
// configuration first (e.g. to disable registration). The server stops
// when the test ends.
func Start(t testing.TB, mods ...func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Auth.MaxFailedLogins = 1000
	for _, m := range mods {
		m(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	return StartWith(t, cfg)
}

// StartWith runs uivmm with cfg as given.
func StartWith(t testing.TB, cfg config.Config) *Env {
	t.Helper()
	logs := &SafeBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("starting uivmm: %v", err)
	}
	e := &Env{T: t, App: a, DataDir: cfg.DataDir, Config: cfg, Logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- a.Run(ctx) }()
	select {
	case <-a.Started():
	case err := <-e.done:
		t.Fatalf("uivmm stopped at start: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("uivmm did not start within 10s")
	}
	e.Server = httptest.NewUnstartedServer(a.Handler())
	// Handshake errors (LXD tries plain http first) go to the log, at debug.
	e.Server.Config.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	if tc := a.TLSConfig(); tc != nil { // tls.key and tls.pub: HTTPS (see StartTLS)
		e.Server.TLS = tc
		e.Server.StartTLS()
	} else {
		e.Server.Start()
	}
	e.URL = e.Server.URL
	t.Cleanup(e.Stop)
	return e
}

// Stop stops the server and the app (idempotent).
func (e *Env) Stop() {
	if e.cancel == nil {
		return
	}
	e.Server.Close()
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		e.T.Errorf("uivmm did not stop within 10s")
	}
	_ = e.App.Close()
	e.cancel = nil
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	Doc    map[string]any
}

// Detail returns errors[0].detail, or "".
func (r Response) Detail() string {
	errs, _ := r.Doc["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	m, _ := errs[0].(map[string]any)
	s, _ := m["detail"].(string)
	return s
}

// Attrs returns data.attributes of a single-resource answer.
func (r Response) Attrs() map[string]any {
	d, _ := r.Doc["data"].(map[string]any)
	a, _ := d["attributes"].(map[string]any)
	return a
}

// List returns data as a list of resources.
func (r Response) List() []map[string]any {
	items, _ := r.Doc["data"].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// ID returns data.id of a single-resource answer (0 when absent).
func (r Response) ID() int64 {
	d, _ := r.Doc["data"].(map[string]any)
	f, _ := d["id"].(float64)
	return int64(f)
}

// Call POSTs body (marshalled to JSON unless it is a string or []byte) to
// /api/v1/<method> with token as bearer when not "".
func (e *Env) Call(method, token string, body any) Response {
	e.T.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
		raw = []byte("{}")
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.T.Fatalf("marshal: %v", err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/api/v1/"+method, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/vnd.api+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.Do(req)
}

// Do sends req and decodes the answer. It uses e.Server.Client(), which
// trusts the server's certificate under TLS.
func (e *Env) Do(req *http.Request) Response {
	e.T.Helper()
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Doc)
	return r
}

// MustOK calls and fails the test unless the status is 200.
func (e *Env) MustOK(method, token string, body any) Response {
	e.T.Helper()
	r := e.Call(method, token, body)
	if r.Status != http.StatusOK {
		e.T.Fatalf("%s: status %d: %s", method, r.Status, r.Raw)
	}
	return r
}

var codeRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// LastCode returns the code in the newest outbox mail to address.
func (e *Env) LastCode(address string) string {
	e.T.Helper()
	dir := e.Config.MailOutbox()
	entries, err := os.ReadDir(dir)
	if err != nil {
		e.T.Fatalf("reading outbox: %v", err)
	}
	names := make([]string, 0, len(entries))
	for _, en := range entries {
		names = append(names, en.Name())
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		text := strings.ReplaceAll(string(b), "=\r\n", "")
		text = strings.ReplaceAll(text, "=\n", "")
		if strings.Contains(text, "To: <"+address+">") {
			if c := codeRE.FindString(text); c != "" {
				return c
			}
		}
	}
	e.T.Fatalf("no mail with a code to %s in %s", address, dir)
	return ""
}

// AddUser creates an active user directly through the command layer (as
// `uivmm user add` does) and logs them in; it returns id and token.
func (e *Env) AddUser(login string, group int) (int64, string) {
	e.T.Helper()
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "apptest", RequestID: "apptest-" + login, Command: "user.add"}
	pw := "password-" + login
	res, err := commands.AddUserNow(context.Background(), e.App.Deps, &commands.AddUser{
		Envelope: commands.Envelope{Metadata: meta}, Login: login, Email: login + "@example.com", Group: group, Password: pw})
	if err != nil {
		e.T.Fatalf("adding user %s: %v", login, err)
	}
	if err := e.App.Runner.Waiter().WaitFor(context.Background(), res.Position); err != nil {
		e.T.Fatal(err)
	}
	r := e.MustOK("user.login", "", map[string]any{"user_login": login, "user_password": pw})
	tok, _ := r.Attrs()["token"].(string)
	if tok == "" {
		e.T.Fatalf("login of %s gave no token: %s", login, r.Raw)
	}
	return res.ID, tok
}

// Password returns the password AddUser gave login.
func Password(login string) string { return "password-" + login }

// Events returns every stored event.
func (e *Env) Events() []eventstore.RecordedEvent {
	e.T.Helper()
	var out []eventstore.RecordedEvent
	var after uint64
	for {
		recs, err := e.App.Store.ReadAll(context.Background(), after, 1000)
		if err != nil {
			e.T.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
		after = recs[len(recs)-1].Position
	}
}
