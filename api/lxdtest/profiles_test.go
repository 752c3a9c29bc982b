package lxdtest

import (
	"strings"
	"testing"
	"time"

	lxdclient "github.com/canonical/lxd/client"
	lxdapi "github.com/canonical/lxd/shared/api"
)

func profileBody(name, description string) string {
	return "config:\n  limits.cpu: \"1\"\ndescription: " + description + "\ndevices: {}\nname: " + name + "\n"
}

func TestProfiles(t *testing.T) {
	h := start(t)
	_, alice := h.user("alice", 4)
	id := h.addServer(t, alice, "")
	admin := h.lxd.Admin(t)
	p1, p2 := name("uivmm-p"), name("uivmm-q")
	t.Cleanup(func() { _ = admin.DeleteProfile(p1); _ = admin.DeleteProfile(p2) })

	list := h.MustOK("profile.list", alice, on(id)).List()
	checkIDs(t, list)
	if d := byAttr(list, "profile_name", "default"); len(d) != 1 || !strings.Contains(attrs(d[0])["profile_body"].(string), "name: default") {
		t.Fatalf("profile.list = %v", list)
	}

	// Created when missing, then changed.
	wantAck(t, h.Call("profile.update", alice, on(id, "profile_name", p1, "profile_body", profileBody(p1, "first"))), "profile")
	if p, _, err := admin.GetProfile(p1); err != nil || p.Description != "first" || p.Config["limits.cpu"] != "1" {
		t.Fatalf("created profile = %+v, %v", p, err)
	}
	wantAck(t, h.Call("profile.update", alice, on(id, "profile_name", p1, "profile_body", profileBody(p1, "second"))), "profile")
	listed := byAttr(h.MustOK("profile.list", alice, on(id)).List(), "profile_name", p1)
	if len(listed) != 1 || !strings.Contains(attrs(listed[0])["profile_body"].(string), "description: second") {
		t.Fatalf("profile.list after the update: %v", listed)
	}
	firstID := asInt(listed[0]["id"])

	// Renamed: the YAML name is the new name.
	wantAck(t, h.Call("profile.update", alice, on(id, "profile_name", p1, "profile_rename", p2,
		"profile_body", profileBody(p2, "third"))), "profile")
	list = h.MustOK("profile.list", alice, on(id)).List()
	if len(byAttr(list, "profile_name", p1)) != 0 || len(byAttr(list, "profile_name", p2)) != 1 {
		t.Fatalf("after the rename: %v", list)
	}
	if asInt(byAttr(list, "profile_name", p2)[0]["id"]) == firstID {
		t.Errorf("the renamed profile kept the old name's id")
	}

	// Refused before anything is recorded.
	before := len(h.serverEvents(id))
	for _, tc := range []struct {
		body   map[string]any
		detail string
	}{
		{on(id, "profile_name", p2, "profile_body", "config: [unclosed"), "profile body"},
		{on(id, "profile_name", p2, "profile_body", "nonsense: 1\n"), "nonsense"},
		{on(id, "profile_name", p2, "profile_body", profileBody("other", "x")), "must be " + p2},
		{on(id, "profile_name", "", "profile_body", profileBody(p2, "x")), "this field must be filled in"},
		{on(id, "profile_name", p2, "profile_body", ""), "this field must be filled in"},
		{on(id, "profile_name", "a/b", "profile_body", profileBody("a/b", "x")), "the profile name is invalid"},
	} {
		wantError(t, h.Call("profile.update", alice, tc.body), 400, tc.detail)
	}
	if after := len(h.serverEvents(id)); after != before {
		t.Errorf("refused updates recorded %d events", after-before)
	}

	// LXD's own refusal reaches the user as a clear detail.
	wantError(t, h.Call("profile.update", alice, on(id, "profile_name", p2, "profile_body",
		"config:\n  no.such.key: \"1\"\ndevices: {}\nname: "+p2+"\n")), 400, "no.such.key")

	// In use: LXD refuses the delete, and says why.
	inst := name("uivmm-c")
	createInstance(t, admin, inst, h.lxd.Image, "default", p2)
	wantError(t, h.Call("profile.delete", alice, on(id, "profile_name", p2)), 409, "in use")
	deleteInstance(t, admin, inst)
	wantAck(t, h.Call("profile.delete", alice, on(id, "profile_name", p2)), "profile")
	if _, _, err := admin.GetProfile(p2); err == nil {
		t.Fatal("the deleted profile still exists")
	}
	wantError(t, h.Call("profile.delete", alice, on(id, "profile_name", p2)), 404, "")
	wantError(t, h.Call("profile.delete", alice, on(id, "profile_name", "default")), 403, "profile cannot be deleted")

	checkOutcomes(t, h.settled(t, id, 5*time.Second), map[string]int{
		"server:profile_update_requested": 4, "server:profile_updated": 3, "server:profile_update_failed": 1,
		"server:profile_delete_requested": 4, "server:profile_deleted": 1, "server:profile_delete_failed": 3})
}

// createInstance creates a stopped container from the busybox image.
func createInstance(t testing.TB, c lxdclient.InstanceServer, name, image string, profiles ...string) {
	t.Helper()
	op, err := c.CreateInstance(lxdapi.InstancesPost{Name: name, Type: lxdapi.InstanceTypeContainer,
		Source: lxdapi.InstanceSource{Type: "image", Alias: image}, InstancePut: lxdapi.InstancePut{Profiles: profiles}})
	if err == nil {
		err = op.Wait()
	}
	if err != nil {
		t.Fatalf("creating instance %s: %v", name, err)
	}
	t.Cleanup(func() { deleteInstance(t, c, name) })
}

func deleteInstance(t testing.TB, c lxdclient.InstanceServer, name string) {
	op, err := c.DeleteInstance(name)
	if err == nil {
		_ = op.Wait()
	}
}
