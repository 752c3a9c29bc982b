package lxdtest

import (
	"testing"
	"time"
)

func TestNetworksPoolsVolumes(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	inst := name("uivmm-v")
	createInstance(t, h.lxd.Admin(t), inst, h.lxd.Image, "default")

	nets := h.MustOK("network.list", alice, on(id)).List()
	checkIDs(t, nets)
	br := byAttr(nets, "network_name", h.lxd.Bridge)
	if len(br) != 1 || attrs(br[0])["network_type"] != "bridge" || attrs(br[0])["network_addr"] != "" ||
		attrs(br[0])["provider"] != "lxd" {
		t.Fatalf("network.list = %v", nets)
	}

	pools := h.MustOK("pool.list", alice, on(id)).List()
	checkIDs(t, pools)
	p := byAttr(pools, "pool_name", h.lxd.Pool)
	if len(p) != 1 || attrs(p[0])["pool_driver"] != "dir" || attrs(p[0])["pool_status"] != "created" ||
		asInt(attrs(p[0])["pool_space_total"]) <= 0 || attrs(p[0])["pool_source"] == "" {
		t.Fatalf("pool.list = %v", pools)
	}

	vols := h.MustOK("volume.list", alice, on(id)).List()
	checkIDs(t, vols)
	v := byAttr(vols, "volume_name", inst)
	if len(v) != 1 || attrs(v[0])["volume_type"] != "container" || attrs(v[0])["pool_name"] != h.lxd.Pool ||
		attrs(v[0])["volume_used_by"] != "/1.0/instances/"+inst {
		t.Fatalf("volume.list = %v", vols)
	}

	// The instance, made behind uivmm's back, reaches the instances read
	// model through LXD's events; server.get then carries it with the id
	// instance.list gives it.
	var listed []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for len(listed) == 0 && time.Now().Before(deadline) {
		listed = byAttr(h.MustOK("instance.list", alice, on(id)).List(), "instance_name", inst)
		time.Sleep(50 * time.Millisecond)
	}
	if len(listed) != 1 {
		t.Fatalf("instance %s never reached instance.list", inst)
	}
	// server.get carries the same items, the instance among them.
	inc := included(h.MustOK("server.get", alice, on(id)))
	if len(byAttr(ofType(inc, "volume"), "volume_name", inst)) != 1 {
		t.Errorf("server.get has no volume %s", inst)
	}
	in := byAttr(ofType(inc, "instance"), "instance_name", inst)
	if len(in) != 1 || attrs(in[0])["instance_status"] != "stopped" || attrs(in[0])["instance_type"] != "container" ||
		attrs(in[0])["instance_image_os"] != "busybox" {
		t.Errorf("server.get instance = %v", in)
	} else if in[0]["id"] != listed[0]["id"] {
		t.Errorf("server.get gives instance %s id %v, instance.list %v", inst, in[0]["id"], listed[0]["id"])
	}
	if a, b := idsByType(vols)["volume"], idsByType(ofType(inc, "volume"))["volume"]; a[h.lxd.Pool+"/container/"+inst] != b[h.lxd.Pool+"/container/"+inst] {
		t.Errorf("volume ids differ between volume.list and server.get: %v %v", a, b)
	}
}
