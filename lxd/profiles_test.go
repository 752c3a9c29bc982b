package lxd_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/lxd"
)

func profileByName(t *testing.T, srv *lxd.Server, name string) (lxd.Profile, bool) {
	t.Helper()
	list, err := srv.Profiles(ctx(t))
	if err != nil {
		t.Fatalf("Profiles: %v", err)
	}
	i := slices.IndexFunc(list, func(p lxd.Profile) bool { return p.Name == name })
	if i < 0 {
		return lxd.Profile{}, false
	}
	return list[i], true
}

func TestProfileCreateUpdateRenameDelete(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	first, second := name("uivmm-prof"), name("uivmm-prof")
	t.Cleanup(func() {
		for _, n := range []string{first, second} {
			_ = e.Admin(t).DeleteProfile(n)
		}
	})

	body := "config:\n  limits.cpu: \"1\"\ndescription: test\ndevices: {}\nname: " + first + "\n"
	if err := srv.UpdateProfile(ctx(t), first, body, ""); err != nil {
		t.Fatalf("UpdateProfile (create): %v", err)
	}
	p, ok := profileByName(t, srv, first)
	if !ok || p.Config["limits.cpu"] != "1" || p.Description != "test" {
		t.Fatalf("created profile = %+v", p)
	}
	if !strings.Contains(p.Body, "name: "+first+"\n") || !strings.Contains(p.Body, "  limits.cpu: \"1\"") {
		t.Errorf("Body is not the full 2-space YAML with name: %q", p.Body)
	}

	// Update through the body LXD gave, with a nic device and a rename.
	body = strings.Replace(p.Body, "devices: {}", "devices:\n  eth0:\n    name: eth0\n    network: "+e.Bridge+"\n    type: nic", 1)
	body = strings.Replace(body, "name: "+first, "name: "+second, 1)
	if err := srv.UpdateProfile(ctx(t), first, body, second); err != nil {
		t.Fatalf("UpdateProfile (update + rename): %v", err)
	}
	if _, ok := profileByName(t, srv, first); ok {
		t.Errorf("profile %s still exists after the rename", first)
	}
	p, ok = profileByName(t, srv, second)
	if !ok || p.Devices["eth0"]["network"] != e.Bridge || p.Devices["eth0"]["type"] != "nic" {
		t.Errorf("renamed profile = %+v", p)
	}

	checkProfileRefusals(t, srv, second, strings.Replace(body, "name: "+second, "name: default", 1))

	if err := srv.DeleteProfile(ctx(t), second); err != nil {
		t.Fatalf("DeleteProfile: %v", err)
	}
	if err := srv.DeleteProfile(ctx(t), second); !errors.Is(err, lxd.ErrNotFound) {
		t.Errorf("deleting a missing profile = %v, want ErrNotFound", err)
	}
}

// checkProfileRefusals tries updates of profile prof that must fail;
// onto is a valid body that renames it to default.
func checkProfileRefusals(t *testing.T, srv *lxd.Server, prof, onto string) {
	t.Helper()
	before, _ := profileByName(t, srv, prof)
	cases := []struct {
		name, body, rename string
		want               error
	}{
		{"rename onto a taken name", onto, "default", lxd.ErrConflict},
		{"bad YAML", "config: [", "", lxd.ErrInvalid},
		{"unknown key", "config: {}\nnmae: x\n", "", lxd.ErrInvalid},
		{"body names another profile", "name: other\n", "", lxd.ErrInvalid},
		{"two documents", "config: {}\n---\nconfig: {}\n", "", lxd.ErrInvalid},
		{"empty body", " \n", "", lxd.ErrInvalid},
		{"config LXD refuses", "config:\n  bogus.key: x\n", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := srv.UpdateProfile(ctx(t), prof, tc.body, tc.rename)
			var lxdErr *lxd.Error
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("UpdateProfile = %v, want %v", err, tc.want)
			case tc.want == nil && (!errors.As(err, &lxdErr) || lxdErr.Message == ""):
				t.Errorf("UpdateProfile = %v, want *lxd.Error with LXD's message", err)
			}
		})
	}
	if after, _ := profileByName(t, srv, prof); after.Body != before.Body {
		t.Errorf("refused updates changed the profile:\n%s\nwas:\n%s", after.Body, before.Body)
	}
}

func TestDefaultProfileCannotBeRenamedAndStaysIntact(t *testing.T) {
	e := env(t)
	srv, _, _ := e.connect(t)
	before, ok := profileByName(t, srv, "default")
	if !ok {
		t.Fatal("no default profile")
	}
	newName := name("uivmm-default")
	body := strings.Replace(before.Body, "name: default", "name: "+newName, 1)
	body = strings.Replace(body, "config: {}", "config:\n  user.uivmm-test: changed", 1)
	err := srv.UpdateProfile(ctx(t), "default", body, newName)
	var lxdErr *lxd.Error
	if !errors.As(err, &lxdErr) {
		t.Fatalf("renaming the default profile = %v, want *lxd.Error", err)
	}
	after, _ := profileByName(t, srv, "default")
	if after.Body != before.Body {
		t.Errorf("a refused rename changed the default profile:\n%s\nwas:\n%s", after.Body, before.Body)
	}
	if err := srv.DeleteProfile(ctx(t), "default"); !errors.As(err, &lxdErr) || lxdErr.Message == "" {
		t.Errorf("deleting default = %v, want *lxd.Error with LXD's message", err)
	}
}
