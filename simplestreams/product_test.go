package simplestreams_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/canonical/lxd/shared/osarch"

	ss "github.com/uivmm/uivmm/simplestreams"
)

func TestValidateProduct(t *testing.T) {
	tests := []struct {
		name  string
		in    ss.Product
		want  ss.Product
		errIs []error
	}{
		{"defaults and x86_64 normalised",
			ss.Product{OS: "debian", Release: "bookworm", Arch: "x86_64"},
			ss.Product{OS: "debian", Release: "bookworm", Arch: "amd64", Variant: "default", ReleaseTitle: "bookworm"}, nil},
		{"aarch64 normalised, aliases kept",
			ss.Product{OS: "debian", Release: "12", Arch: "aarch64", Variant: "cloud", Aliases: "debian/12,bookworm", ReleaseTitle: "Debian 12"},
			ss.Product{OS: "debian", Release: "12", Arch: "arm64", Variant: "cloud", Aliases: "debian/12,bookworm", ReleaseTitle: "Debian 12"}, nil},
		{"missing os", ss.Product{Release: "12", Arch: "amd64"}, ss.Product{}, []error{ss.ErrBadProduct}},
		{"missing arch", ss.Product{OS: "debian", Release: "12"}, ss.Product{}, []error{ss.ErrBadArch}},
		{"unknown arch", ss.Product{OS: "debian", Release: "12", Arch: "sparc64"}, ss.Product{}, []error{ss.ErrBadArch}},
		{"colon in release", ss.Product{OS: "debian", Release: "12:x", Arch: "amd64"}, ss.Product{}, []error{ss.ErrBadProduct}},
		{"space in alias", ss.Product{OS: "debian", Release: "12", Arch: "amd64", Aliases: "a, b"}, ss.Product{}, []error{ss.ErrBadAlias}},
		{"empty alias", ss.Product{OS: "debian", Release: "12", Arch: "amd64", Aliases: "a,,b"}, ss.Product{}, []error{ss.ErrBadAlias}},
		{"repeated alias", ss.Product{OS: "debian", Release: "12", Arch: "amd64", Aliases: "a,a"}, ss.Product{}, []error{ss.ErrBadAlias}},
		{"control char in title", ss.Product{OS: "d", Release: "1", Arch: "amd64", ReleaseTitle: "a\nb"}, ss.Product{}, []error{ss.ErrBadProduct}},
		{"every problem reported", ss.Product{Arch: "vax", Aliases: " "}, ss.Product{},
			[]error{ss.ErrBadProduct, ss.ErrBadArch, ss.ErrBadAlias}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ss.ValidateProduct(tc.in)
			if tc.errIs == nil {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			for _, want := range tc.errIs {
				if !errors.Is(err, want) {
					t.Errorf("error %v does not wrap %v", err, want)
				}
			}
		})
	}
}

func TestProductIDAndAliases(t *testing.T) {
	p := ss.Product{OS: "debian", Release: "12", Arch: "x86_64"}
	if got := ss.ProductID(p); got != "debian:12:amd64:default" {
		t.Fatalf("ProductID = %q", got)
	}
	p.Variant = "cloud"
	if got := ss.ProductID(p); got != "debian:12:amd64:cloud" {
		t.Fatalf("ProductID = %q", got)
	}
	if got := ss.SplitAliases("a,debian/12,,b"); !slices.Equal(got, []string{"a", "debian/12", "b"}) {
		t.Fatalf("SplitAliases = %q", got)
	}
	if got := ss.SplitAliases(""); len(got) != 0 {
		t.Fatalf("SplitAliases(\"\") = %q", got)
	}
}

func TestValidateSerial(t *testing.T) {
	tests := []struct {
		serial string
		ok     bool
	}{
		{"20261126_1831", true},
		{"20261126", true},
		{"20240229.1-rc_2", true},
		{"20230229", false}, // not a leap year
		{"20261301", false},
		{"2026112", false},
		{"v20261126", false},
		{"20261126 1831", false},
		{"20261126/1831", false},
		{"20261126_" + string(make([]byte, 60)), false},
		{"", false},
	}
	for _, tc := range tests {
		err := ss.ValidateSerial(tc.serial)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ss.ErrBadSerial)) {
			t.Errorf("ValidateSerial(%q) = %v, want ok=%v", tc.serial, err, tc.ok)
		}
	}
}

// TestArchitecturesAgreeWithLXD checks every spelling we accept against
// LXD's own table: it must be known, and mean the same CPU as the
// canonical name.
func TestArchitecturesAgreeWithLXD(t *testing.T) {
	for _, canonical := range ss.Architectures() {
		want, err := osarch.ArchitectureId(canonical)
		if err != nil {
			t.Errorf("LXD does not know %q: %v", canonical, err)
			continue
		}
		for _, name := range []string{canonical, mustName(t, want)} {
			if got, err := ss.NormaliseArch(name); err != nil || got != canonical {
				t.Errorf("NormaliseArch(%q) = %q, %v; want %q", name, got, err, canonical)
			}
		}
	}
	// Every other spelling we accept must mean the same CPU to LXD.
	spellings := append(osarch.SupportedArchitectures(),
		"i386", "i586", "x86", "armhfp", "armv7", "armel", "mips64el", "mips64le", "ppc64el", "loong64", "sparc")
	for _, name := range spellings {
		canonical, err := ss.NormaliseArch(name)
		if err != nil {
			continue
		}
		a, errA := osarch.ArchitectureId(name)
		b, errB := osarch.ArchitectureId(canonical)
		if errA != nil || errB != nil || a != b {
			t.Errorf("%q normalises to %q, but LXD maps them to ids %d and %d", name, canonical, a, b)
		}
	}
	if !ss.SameArch("x86_64", "amd64") || ss.SameArch("x86_64", "arm64") || ss.SameArch("vax", "vax") {
		t.Fatal("SameArch is wrong")
	}
}

func mustName(t *testing.T, id int) string {
	t.Helper()
	name, err := osarch.ArchitectureName(id)
	if err != nil {
		t.Fatal(err)
	}
	return name
}
