package lxd_test

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/lxd"
)

// recorder collects events from Server.Events running in the background.
type recorder struct {
	events    chan lxd.Event
	connected chan struct{}
	done      chan error
	seen      []lxd.Event
}

func listen(t *testing.T, srv *lxd.Server, types []string) (*recorder, context.CancelFunc) {
	t.Helper()
	c, cancel := context.WithCancel(ctx(t))
	r := &recorder{events: make(chan lxd.Event, 1024), connected: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		r.done <- srv.Events(c, types, func(ev lxd.Event) {
			if ev.Type == lxd.EventConnected {
				close(r.connected)
				return
			}
			select {
			case r.events <- ev:
			default:
			}
		})
	}()
	select {
	case <-r.connected:
	case err := <-r.done:
		t.Fatalf("Events ended before it connected: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Events did not connect within 10 s")
	}
	t.Cleanup(cancel)
	return r, cancel
}

// await waits for an event that matches, among those seen so far or to come.
func (r *recorder) await(t *testing.T, what string, match func(lxd.Event) bool) lxd.Event {
	t.Helper()
	if i := slices.IndexFunc(r.seen, match); i >= 0 {
		return r.seen[i]
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-r.events:
			r.seen = append(r.seen, ev)
			if match(ev) {
				return ev
			}
		case err := <-r.done:
			t.Fatalf("Events ended while waiting for %s: %v", what, err)
		case <-deadline:
			t.Fatalf("no %s event within 30 s", what)
		}
	}
}

func TestEventsDeliverLifecycleEventsAndEndWithTheContext(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	rec, cancel := listen(t, srv, []string{lxd.EventLifecycle})
	prof := name("uivmm-ev")
	t.Cleanup(func() { _ = e.Admin(t).DeleteProfile(prof) })

	if err := srv.UpdateProfile(ctx(t), prof, "config: {}\n", ""); err != nil {
		t.Fatal(err)
	}
	ev := rec.await(t, "profile-created", func(ev lxd.Event) bool {
		return ev.Action == "profile-created" && ev.Source == "/1.0/profiles/"+prof
	})
	if ev.Type != lxd.EventLifecycle || ev.Time.IsZero() || len(ev.Metadata) == 0 || ev.Instance != "" {
		t.Errorf("lifecycle event = %+v", ev)
	}

	cancel()
	select {
	case err := <-rec.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Events after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Events did not return within 10 s of cancel")
	}
}

func TestEventsReturnUnreachableWhenTheConnectionDrops(t *testing.T) {
	e := env(t)
	_, id, pinned := e.connect(t)
	fwd := forward(t, net.JoinHostPort(e.Host, strconv.Itoa(e.Port)))
	srv, err := lxd.Connect(ctx(t), "127.0.0.1", fwd.port, pinned.CertPEM, id)
	if err != nil {
		t.Fatalf("Connect through the forwarder: %v", err)
	}
	defer srv.Close()
	rec, _ := listen(t, srv, nil)
	fwd.cut()
	select {
	case err := <-rec.done:
		if !errors.Is(err, lxd.ErrUnreachable) {
			t.Errorf("Events after the connection dropped = %v, want ErrUnreachable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Events did not return within 10 s of the drop")
	}
	if err := srv.Events(ctx(t), nil, nil); !errors.Is(err, lxd.ErrInvalid) {
		t.Errorf("Events without a handler = %v, want ErrInvalid", err)
	}
}

// forwarder is a loopback TCP forwarder whose connections can be cut.
type forwarder struct {
	port  int
	mu    sync.Mutex
	conns []net.Conn
}

func forward(t *testing.T, target string) *forwarder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{port: l.Addr().(*net.TCPAddr).Port}
	t.Cleanup(func() { _ = l.Close(); f.cut() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, in, out)
			f.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
	return f
}

// cut closes every connection made so far.
func (f *forwarder) cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
}
