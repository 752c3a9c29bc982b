package simplestreams

import (
	"fmt"
	"slices"
)

// archNames maps each canonical product architecture (the Debian name,
// as images.linuxcontainers.org and cloud-images.ubuntu.com publish) to
// every spelling that means the same CPU in LXD: the kernel name LXD
// writes into metadata.yaml and its aliases.
//
// Only architectures LXD 5.0.2 knows are listed, because LXD silently
// drops a product whose arch it cannot map. loongarch64, armv8l and
// riscv32 are left out: 5.0.2 has no entry (or no image exists).
// armel: LXD >= 5.x maps it to armv6l, 5.0.2 to armv7l; either host runs
// an armel userland, and metadata may say armel or armv6l.
var archNames = map[string][]string{
	"amd64":    {"amd64", "x86_64"},
	"i386":     {"i386", "i686", "i586", "x86"},
	"arm64":    {"arm64", "aarch64"},
	"armhf":    {"armhf", "armv7l", "armhfp", "armv7"},
	"armel":    {"armel", "armv6l"},
	"ppc64el":  {"ppc64el", "ppc64le"},
	"s390x":    {"s390x"},
	"riscv64":  {"riscv64"},
	"mips64el": {"mips64el", "mips64le", "mips64"},
}

// NormaliseArch returns the canonical (Debian) name for any spelling of an
// architecture LXD 5.0.2 knows: "x86_64" and "amd64" both give "amd64".
// The error wraps ErrBadArch.
func NormaliseArch(arch string) (string, error) {
	for canonical, names := range archNames {
		if slices.Contains(names, arch) {
			return canonical, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not an architecture LXD knows", ErrBadArch, arch)
}

// Architectures returns the canonical architecture names, sorted.
func Architectures() []string {
	out := make([]string, 0, len(archNames))
	for canonical := range archNames {
		out = append(out, canonical)
	}
	slices.Sort(out)
	return out
}

// SameArch reports whether two spellings name the same architecture
// (lenient: "x86_64" and "amd64" are the same). Unknown names never match.
func SameArch(a, b string) bool {
	ca, errA := NormaliseArch(a)
	cb, errB := NormaliseArch(b)
	return errA == nil && errB == nil && ca == cb
}
