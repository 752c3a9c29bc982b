package instancetest

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/eventstore"
)

// running adds container n through instance.add and waits until it runs.
func (h *harness) running(t *testing.T, n string) {
	t.Helper()
	removeLater(t, h.lxd, n)
	h.MustOK("instance.add", h.token, h.addBody(n))
	h.waitStatus(t, n, "running", 60*time.Second)
}

// act asks for action on n and returns its outcome event.
func (h *harness) act(t *testing.T, n, action string) eventstore.RecordedEvent {
	t.Helper()
	rid := newRequestID()
	r := h.MustOK("instance.action", h.token, h.on("instance_name", n, "instance_status", action, "request_id", rid))
	if a := r.Attrs(); a["request_id"] != rid || a["instance_status"] != "operation created" {
		t.Fatalf("instance.action answered %s", r.Raw)
	}
	return h.outcomeOf(t, n, rid, 60*time.Second)
}

// TestEveryAction walks a container through every action; each has an
// outcome carrying its request id and cause, the read model and LXD
// agree after each, and LXD's echoes of uivmm's own actions add nothing
// to the history.
func TestEveryAction(t *testing.T) {
	h := start(t)
	n := name("uivmm-it")
	h.running(t, n)
	for _, step := range []struct{ action, want string }{
		{"stop", "stopped"},
		{"start", "running"},
		{"restart", "running"},
		{"restart-force", "running"},
		{"freeze", "frozen"},
		{"unfreeze", "running"},
		{"stop-force", "stopped"},
		{"start", "running"},
		{"delete", ""},
	} {
		out := h.act(t, n, step.action)
		d := dataOf(out)
		if out.Type != instance.TypeActionSucceeded || d["action"] != step.action {
			t.Fatalf("%s: outcome %s", step.action, history([]eventstore.RecordedEvent{out}))
		}
		if out.Metadata.Command != "instance.action" || out.Metadata.CausationID == "" {
			t.Errorf("%s: outcome metadata %+v", step.action, out.Metadata)
		}
		if step.want == "" {
			h.waitStatus(t, n, "", 5*time.Second)
			if _, _, err := h.lxd.Admin(t).GetInstance(n); err == nil {
				t.Fatalf("LXD still has %s after delete", n)
			}
			continue
		}
		if d["status"] != step.want {
			t.Errorf("%s: outcome status %v, want %s", step.action, d["status"], step.want)
		}
		h.waitStatus(t, n, step.want, 5*time.Second)
		if got := h.lxdStatus(t, n); got != step.want {
			t.Errorf("%s: LXD says %s, want %s", step.action, got, step.want)
		}
	}
	time.Sleep(300 * time.Millisecond) // let the last echoes arrive
	evs := h.stream(t, n)
	for _, ev := range evs {
		if ev.Type == instance.TypeStatusObserved || ev.Type == instance.TypeVanishedExternal {
			t.Errorf("an echo of uivmm's own action was recorded:\n%s", history(evs))
			break
		}
	}
	if last := evs[len(evs)-1]; last.Type != instance.TypeDeleted {
		t.Errorf("the history does not end with %s:\n%s", instance.TypeDeleted, history(evs))
	}
	if r := h.Call("instance.action", h.token, h.on("instance_name", n, "instance_status", "start")); r.Status != http.StatusNotFound {
		t.Errorf("an action on a deleted instance: %d %s", r.Status, r.Raw)
	}
}

// TestActionRefusals: an unknown action is a 400 and records nothing.
func TestActionRefusals(t *testing.T) {
	h := start(t)
	n := name("uivmm-it")
	h.running(t, n)
	before := len(h.stream(t, n))
	for _, action := range []string{"", "reboot", "START"} {
		r := h.Call("instance.action", h.token, h.on("instance_name", n, "instance_status", action))
		if r.Status != http.StatusBadRequest {
			t.Errorf("action %q: %d %s, want 400", action, r.Status, r.Raw)
		}
	}
	if r := h.Call("instance.action", h.token, h.on("instance_name", "bad_name", "instance_status", "start")); r.Status != http.StatusBadRequest {
		t.Errorf("a bad name: %d %s, want 400", r.Status, r.Raw)
	}
	if after := len(h.stream(t, n)); after != before {
		t.Errorf("refused actions recorded %d events", after-before)
	}
}

// TestConcurrentActionsAreSerialized: actions sent at once on one
// instance are all recorded, in one order, and done in that order: each
// outcome follows its own request's, and the read model ends where LXD
// is.
func TestConcurrentActionsAreSerialized(t *testing.T) {
	h := start(t)
	n := name("uivmm-it")
	h.running(t, n)
	actions := []string{"freeze", "unfreeze", "stop-force", "start", "restart-force", "freeze", "unfreeze", "stop-force"}
	var wg sync.WaitGroup
	rids := make([]string, len(actions))
	for i, a := range actions {
		rids[i] = newRequestID()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.Call("instance.action", h.token, h.on("instance_name", n, "instance_status", a, "request_id", rids[i]))
			if r.Status != http.StatusOK {
				t.Errorf("%s: %d %s", a, r.Status, r.Raw)
			}
		}()
	}
	wg.Wait()
	for _, rid := range rids {
		h.outcomeOf(t, n, rid, 60*time.Second)
	}
	evs := h.stream(t, n)
	var asked, done []string
	byID := map[string]string{}
	for _, ev := range evs {
		switch ev.Type {
		case instance.TypeActionRequested:
			asked = append(asked, ev.Metadata.RequestID)
			byID[ev.ID] = ev.Metadata.RequestID
		case instance.TypeActionSucceeded, instance.TypeActionFailed:
			done = append(done, ev.Metadata.RequestID)
			if byID[ev.Metadata.CausationID] != ev.Metadata.RequestID {
				t.Errorf("outcome of %s is not caused by its request", ev.Metadata.RequestID)
			}
		}
	}
	if len(asked) != len(actions) || len(done) != len(actions) {
		t.Fatalf("%d requests and %d outcomes recorded, want %d each:\n%s", len(asked), len(done), len(actions), history(evs))
	}
	for i := range asked {
		if asked[i] != done[i] {
			t.Fatalf("outcomes out of order: asked %v, done %v", asked, done)
		}
	}
	want := h.lxdStatus(t, n)
	h.waitStatus(t, n, want, 5*time.Second)
	t.Logf("final status %s after %v", want, actions)
}
