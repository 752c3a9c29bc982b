package instancetest

import (
	"context"
	"sort"
	"testing"
	"time"

	lxdapi "github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
	"github.com/uivmm/uivmm/domain/server"
	"github.com/uivmm/uivmm/eventstore"
)

// maxLag is how soon a change behind uivmm's back must show.
const maxLag = 2 * time.Second

// lags collects the measured lags of a test, reported at its end.
type lags struct {
	t    *testing.T
	seen map[string]time.Duration
}

func newLags(t *testing.T) *lags {
	l := &lags{t: t, seen: map[string]time.Duration{}}
	t.Cleanup(func() {
		names := make([]string, 0, len(l.seen))
		var worst time.Duration
		for k, d := range l.seen {
			names = append(names, k)
			worst = max(worst, d)
		}
		sort.Strings(names)
		for _, k := range names {
			t.Logf("out-of-band lag %-28s %v", k, l.seen[k].Round(time.Millisecond))
		}
		t.Logf("out-of-band lag, worst: %v", worst.Round(time.Millisecond))
	})
	return l
}

// change runs op behind uivmm's back, then waits until both the history
// and instance.get show it: an event of type evType (from the LXD host)
// and status want ("" = gone). It records the lag after op returned.
func (l *lags) change(h *harness, what, n, evType, want string, op func() error) {
	t := l.t
	t.Helper()
	before := len(h.stream(t, n))
	if err := op(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	start := time.Now()
	_, evLag := h.waitEvent(t, n, maxLag, evType, func(ev eventstore.RecordedEvent) bool {
		return ev.Revision >= uint64(before) && ev.Type == evType && ev.Metadata.ActorKind == eventstore.ActorExternal &&
			ev.Metadata.ActorName == "lxd:"+h.lxd.Addr
	})
	h.waitStatus(t, n, want, maxLag-time.Since(start))
	l.seen[what] = max(evLag, time.Since(start))
}

// TestOutOfBandChanges: lxc launch, stop, start, pause and delete behind
// uivmm's back each reach the history (actor: the LXD host) and
// instance.get within 2 s; so does an lxc stop of an instance uivmm made.
func TestOutOfBandChanges(t *testing.T) {
	h := start(t)
	h.reconciled(t)
	l := newLags(t)
	admin := h.lxd.Admin(t)
	wait := func(op interface{ Wait() error }, err error) error {
		if err != nil {
			return err
		}
		return op.Wait()
	}
	state := func(n, action string) func() error {
		return func() error {
			return wait(admin.UpdateInstanceState(n, lxdapi.InstanceStatePut{Action: action, Force: true, Timeout: -1}, ""))
		}
	}

	n := name("uivmm-oob")
	removeLater(t, h.lxd, n)
	l.change(h, "lxc launch (create)", n, instance.TypeAppearedExternal, "stopped", func() error {
		return wait(admin.CreateInstance(lxdapi.InstancesPost{Name: n, Type: lxdapi.InstanceTypeContainer,
			Source:      lxdapi.InstanceSource{Type: "image", Alias: h.lxd.Image},
			InstancePut: lxdapi.InstancePut{Profiles: []string{"default", h.halt}}}))
	})
	l.change(h, "lxc start", n, instance.TypeStatusObserved, "running", state(n, "start"))
	l.change(h, "lxc pause", n, instance.TypeStatusObserved, "frozen", state(n, "freeze"))
	l.change(h, "lxc start (resume)", n, instance.TypeStatusObserved, "running", state(n, "unfreeze"))
	l.change(h, "lxc stop --force", n, instance.TypeStatusObserved, "stopped", state(n, "stop"))
	l.change(h, "lxc delete", n, instance.TypeVanishedExternal, "", func() error { return wait(admin.DeleteInstance(n)) })

	appeared := h.stream(t, n)[0]
	if d := dataOf(appeared); appeared.Type != instance.TypeAppearedExternal || int64(d["user_id"].(float64)) != h.userID {
		t.Errorf("the appeared instance is not the server owner's: %s", history(h.stream(t, n)))
	}

	m := name("uivmm-it")
	h.running(t, m)
	l.change(h, "lxc stop of uivmm's instance", m, instance.TypeStatusObserved, "stopped", state(m, "stop"))
	l.change(h, "lxc start of uivmm's instance", m, instance.TypeStatusObserved, "running", state(m, "start"))
	l.change(h, "lxc delete of uivmm's instance", m, instance.TypeVanishedExternal, "", func() error {
		if err := state(m, "stop")(); err != nil {
			return err
		}
		return wait(admin.DeleteInstance(m))
	})
	// The name is free again: uivmm can make an instance of that name.
	h.MustOK("instance.add", h.token, h.addBody(m))
	h.waitStatus(t, m, "running", 60*time.Second)
}

// reconciled waits until uivmm listens to the daemon: the read model
// lists every instance LXD has (the first reconciliation records the
// instances others left on the shared daemon), and a probe container
// made behind uivmm's back shows up. So lags are measured on a settled
// uivmm, not on its start-up.
func (h *harness) reconciled(t *testing.T) {
	t.Helper()
	admin := h.lxd.Admin(t)
	probe := name("uivmm-probe")
	removeLater(t, h.lxd, probe)
	op, err := admin.CreateInstance(lxdapi.InstancesPost{Name: probe, Type: lxdapi.InstanceTypeContainer,
		Source: lxdapi.InstanceSource{Type: "image", Alias: h.lxd.Image}})
	if err == nil {
		err = op.Wait()
	}
	if err != nil {
		t.Fatalf("creating a probe container: %v", err)
	}
	names, err := admin.GetInstanceNames(lxdapi.InstanceTypeAny)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range names {
		for {
			if _, status := h.get(n); status == 200 {
				break
			}
			if _, _, err := admin.GetInstance(n); err != nil {
				break // gone meanwhile
			}
			if time.Now().After(deadline) {
				t.Fatalf("uivmm did not record %s within 30s", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	removeContainer(admin, probe)
	h.waitStatus(t, probe, "", 10*time.Second)
}

// TestReconcileOnStart: changes made while uivmm is down are recorded as
// drift (source "reconcile", actor the LXD host) when it starts again:
// an instance launched, one stopped, one deleted.
func TestReconcileOnStart(t *testing.T) {
	h := start(t)
	admin := h.lxd.Admin(t)
	stopped, deleted, launched := name("uivmm-it"), name("uivmm-it"), name("uivmm-oob")
	h.running(t, stopped)
	h.running(t, deleted)
	removeLater(t, h.lxd, launched)
	h.Stop()

	mustOp := func(what string, op interface{ Wait() error }, err error) {
		t.Helper()
		if err == nil {
			err = op.Wait()
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	op, err := admin.UpdateInstanceState(stopped, lxdapi.InstanceStatePut{Action: "stop", Force: true}, "")
	mustOp("stopping", op, err)
	removeContainer(admin, deleted)
	op, err = admin.CreateInstance(lxdapi.InstancesPost{Name: launched, Type: lxdapi.InstanceTypeContainer,
		Source: lxdapi.InstanceSource{Type: "image", Alias: h.lxd.Image}})
	mustOp("launching", op, err)

	h.restart(t)
	fromReconcile := func(typ string) func(ev eventstore.RecordedEvent) bool {
		return func(ev eventstore.RecordedEvent) bool {
			return ev.Type == typ && dataOf(ev)["source"] == instance.SourceReconcile &&
				ev.Metadata.ActorKind == eventstore.ActorExternal
		}
	}
	h.waitEvent(t, stopped, 10*time.Second, "status observed by reconciliation", fromReconcile(instance.TypeStatusObserved))
	h.waitEvent(t, deleted, 10*time.Second, "vanished by reconciliation", fromReconcile(instance.TypeVanishedExternal))
	h.waitEvent(t, launched, 10*time.Second, "appeared by reconciliation", fromReconcile(instance.TypeAppearedExternal))
	h.waitStatus(t, stopped, "stopped", maxLag)
	h.waitStatus(t, deleted, "", maxLag)
	h.waitStatus(t, launched, "stopped", maxLag)
}

// TestRemovedServerIsNoLongerWatched: once its server is removed, an
// LXD host's changes are no longer recorded (its event connection is
// closed) and its instances leave the read model.
func TestRemovedServerIsNoLongerWatched(t *testing.T) {
	h := start(t)
	m := name("uivmm-it")
	h.running(t, m)
	meta := eventstore.Metadata{ActorKind: eventstore.ActorUser, ActorID: h.userID, RequestID: newRequestID(), Command: "server.remove"}
	_, err := h.App.Deps.Repo.Update(context.Background(), server.Stream(h.server), meta,
		func() domain.Aggregate { return server.New() },
		func(a domain.Aggregate) error {
			return a.(*server.Server).Remove(server.Actor{UserID: h.userID}, time.Now())
		})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the watcher reads the server list every second
	before := len(h.Events())
	op, err := h.lxd.Admin(t).UpdateInstanceState(m, lxdapi.InstanceStatePut{Action: "stop", Force: true}, "")
	if err == nil {
		err = op.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(maxLag)
	for _, ev := range h.Events()[before:] {
		if ev.Metadata.ActorKind == eventstore.ActorExternal {
			t.Fatalf("a removed server's change was recorded:\n%s", history([]eventstore.RecordedEvent{ev}))
		}
	}
	if rows, err := h.App.RM.InstancesOnServer(context.Background(), h.server); err != nil || len(rows) != 0 {
		t.Fatalf("the removed server's instances are still listed: %v %v", rows, err)
	}
}
