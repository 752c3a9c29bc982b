package lxd_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/canonical/lxd/shared/api"

	"github.com/uivmm/uivmm/lxd"
)

// busyboxSpec is a small container; busybox init powers off on SIGUSR2,
// so a graceful stop works when LXD sends that signal.
func busyboxSpec(e testEnv, name string, profiles ...string) lxd.InstanceSpec {
	return lxd.InstanceSpec{
		Name:      name,
		Source:    lxd.ImageSource{Image: e.Image},
		Profiles:  profiles,
		MemoryMiB: 64,
		CPUs:      1,
		UserData:  "#cloud-config\n",
		Config:    map[string]string{"raw.lxc": "lxc.signal.halt = SIGUSR2"},
		Start:     true,
	}
}

func status(t *testing.T, srv *lxd.Server, name string) string {
	t.Helper()
	in, err := srv.Instance(ctx(t), name)
	if err != nil {
		t.Fatalf("Instance(%s): %v", name, err)
	}
	return in.Status
}

func TestInstanceLifecycle(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	inst, prof := name("uivmm-c"), name("uivmm-cp")
	t.Cleanup(func() { removeInstance(t, e, inst); _ = e.Admin(t).DeleteProfile(prof) })
	nic := "devices:\n  eth0:\n    name: eth0\n    network: " + e.Bridge + "\n    type: nic\n"
	if err := srv.UpdateProfile(ctx(t), prof, "config:\n  user.uivmm: test\n"+nic, ""); err != nil {
		t.Fatal(err)
	}
	rec, _ := listen(t, srv, nil)

	if err := srv.CreateInstance(ctx(t), busyboxSpec(e, inst, "default", prof)); err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	checkCreated(t, e, srv, inst, prof)
	rec.await(t, "instance-started", func(ev lxd.Event) bool {
		return ev.Type == lxd.EventLifecycle && ev.Action == "instance-started" && ev.Instance == inst
	})
	rec.await(t, "operation success", func(ev lxd.Event) bool {
		return ev.Type == lxd.EventOperation && ev.Instance == inst && ev.Status == "success"
	})
	checkInUse(t, e, srv, inst, prof)
	runActions(t, e, srv, inst)

	// The instance is frozen now: DeleteInstance force-stops it first.
	if err := srv.DeleteInstance(ctx(t), inst); err != nil {
		t.Fatalf("DeleteInstance (frozen): %v", err)
	}
	if _, err := srv.Instance(ctx(t), inst); !errors.Is(err, lxd.ErrNotFound) {
		t.Errorf("Instance after delete = %v, want ErrNotFound", err)
	}
	if err := srv.InstanceAction(ctx(t), inst, lxd.ActionDelete); !errors.Is(err, lxd.ErrNotFound) {
		t.Errorf("deleting again = %v, want ErrNotFound", err)
	}
	if err := srv.DeleteProfile(ctx(t), prof); err != nil {
		t.Errorf("DeleteProfile once unused: %v", err)
	}
}

// removeInstance deletes inst over the unix socket, if it is still there.
func removeInstance(t *testing.T, e testEnv, inst string) {
	admin := e.Admin(t)
	if op, err := admin.UpdateInstanceState(inst, api.InstanceStatePut{Action: "stop", Force: true}, ""); err == nil {
		_ = op.Wait()
	}
	if op, err := admin.DeleteInstance(inst); err == nil {
		_ = op.Wait()
	}
}

// checkCreated checks what Instance, Instances and LXD show of a new instance.
func checkCreated(t *testing.T, e testEnv, srv *lxd.Server, inst, prof string) {
	t.Helper()
	in, err := srv.Instance(ctx(t), inst)
	if err != nil {
		t.Fatalf("Instance: %v", err)
	}
	if in.Status != "running" || in.Type != "container" || in.ImageOS != "busybox" || in.ImageVersion == "" ||
		in.Memory != "64MiB" || in.CPU != "1" || !slices.Equal(in.Profiles, []string{"default", prof}) ||
		in.Devices["root"]["type"] != "disk" || in.Devices["eth0"]["network"] != e.Bridge || in.CreatedAt.IsZero() {
		t.Errorf("Instance = %+v", in)
	}
	// Debian's LXD 5.0.2 has the cloud_init extension; older hosts get user.user-data.
	srvAPI, _, err := e.Admin(t).GetServer()
	if err != nil {
		t.Fatal(err)
	}
	key := "user.user-data"
	if slices.Contains(srvAPI.APIExtensions, "cloud_init") {
		key = "cloud-init.user-data"
	}
	raw, _, err := e.Admin(t).GetInstance(inst)
	if err != nil || raw.Config[key] != "#cloud-config\n" {
		t.Errorf("%s not set (err %v): %v", key, err, raw.Config)
	}
	list, err := srv.Instances(ctx(t))
	if err != nil || !slices.ContainsFunc(list, func(i lxd.Instance) bool { return i.Name == inst && i.Status == "running" }) {
		t.Errorf("Instances = %+v, %v; want %s running", list, err, inst)
	}
}

// checkInUse checks the refusals and the volume an existing instance causes.
func checkInUse(t *testing.T, e testEnv, srv *lxd.Server, inst, prof string) {
	t.Helper()
	if err := srv.CreateInstance(ctx(t), busyboxSpec(e, inst)); !errors.Is(err, lxd.ErrConflict) {
		t.Errorf("creating %s twice = %v, want ErrConflict", inst, err)
	}
	if err := srv.DeleteProfile(ctx(t), prof); !errors.Is(err, lxd.ErrInUse) || !errors.Is(err, lxd.ErrConflict) {
		t.Errorf("deleting a profile in use = %v, want ErrInUse (and ErrConflict)", err)
	}
	vols, err := srv.Volumes(ctx(t))
	if err != nil || !slices.Contains(vols, lxd.Volume{Pool: "default", Name: inst, Type: "container",
		ContentType: "filesystem", UsedBy: "/1.0/instances/" + inst}) {
		t.Errorf("Volumes = %+v, %v; want the container's volume", vols, err)
	}
}

// awaitInit waits until the container's busybox init waits for signals
// (it blocks them and sits in sigtimedwait). LXD sends the halt signal
// once, and the kernel drops it for a namespace's init that neither
// handles nor blocks it, so a graceful stop sent right after a start
// would be lost.
func awaitInit(t *testing.T, e testEnv, inst string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, _, err := e.Admin(t).GetInstanceState(inst)
		if err != nil || st.Pid <= 0 {
			continue
		}
		wchan, err := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", st.Pid))
		if err == nil && strings.Contains(string(wchan), "sigtimedwait") {
			return
		}
	}
	t.Fatalf("init of %s is not waiting for signals within 10 s", inst)
}

// runActions walks a running instance through every action; it ends frozen.
func runActions(t *testing.T, e testEnv, srv *lxd.Server, inst string) {
	t.Helper()
	steps := []struct {
		action lxd.Action
		want   string
	}{
		{lxd.ActionStart, "running"}, // already running: nothing to do
		{lxd.ActionFreeze, "frozen"},
		{lxd.ActionFreeze, "frozen"},
		{lxd.ActionUnfreeze, "running"},
		{lxd.ActionRestartForce, "running"},
		{lxd.ActionStop, "stopped"}, // graceful: SIGUSR2 to busybox init
		{lxd.ActionStart, "running"},
		{lxd.ActionRestart, "running"},
		{lxd.ActionStopForce, "stopped"},
		{lxd.ActionStopForce, "stopped"},
		{lxd.ActionStart, "running"},
		{lxd.ActionFreeze, "frozen"},
	}
	for _, st := range steps {
		if st.action == lxd.ActionStop || st.action == lxd.ActionRestart {
			awaitInit(t, e, inst)
		}
		if err := srv.InstanceAction(ctx(t), inst, st.action); err != nil {
			t.Fatalf("InstanceAction(%s): %v", st.action, err)
		}
		if got := status(t, srv, inst); got != st.want {
			t.Errorf("after %s: status %q, want %q", st.action, got, st.want)
		}
	}
	if err := srv.InstanceAction(ctx(t), inst, "reboot"); !errors.Is(err, lxd.ErrInvalid) {
		t.Errorf("unknown action = %v, want ErrInvalid", err)
	}
}

func TestCreateInstanceRefusesABadSpec(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	err := srv.CreateInstance(ctx(t), lxd.InstanceSpec{Type: "vm", MemoryMiB: -1})
	if !errors.Is(err, lxd.ErrInvalid) {
		t.Fatalf("CreateInstance(bad spec) = %v, want ErrInvalid", err)
	}
	err = srv.CreateInstance(ctx(t), lxd.InstanceSpec{Name: name("uivmm-c"), Source: lxd.ImageSource{Image: "no-such-image"}})
	var lxdErr *lxd.Error
	if !errors.As(err, &lxdErr) {
		t.Errorf("CreateInstance(missing image) = %v, want *lxd.Error", err)
	}
}
