package simplestreams

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// DefaultVariant is the variant of a product that names none.
const DefaultVariant = "default"

// Product is one image stream: every published version of it shares the
// OS, release, architecture and variant. Its ID (see ProductID) is the
// key in images.json and must never change once versions exist.
type Product struct {
	OS      string // e.g. "debian"; required
	Release string // e.g. "bookworm" or "12"; required
	Arch    string // LXD architecture; normalised to the Debian name
	Variant string // e.g. "cloud"; "" means DefaultVariant
	// Aliases is a comma-separated list with no spaces, as simplestreams
	// carries it ("debian/12,bookworm"). Uniqueness across products is
	// the caller's job; see SplitAliases.
	Aliases      string
	ReleaseTitle string // free text; "" means Release
}

var (
	// nameRE limits OS, release and variant: they form the product ID
	// (joined by ':') and appear in LXD image properties.
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
	// aliasRE allows the '/' linuxcontainers.org uses ("debian/12") but
	// not ':' (the lxc remote separator), ',' or white space.
	aliasRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]{0,127}$`)
	// serialRE: a YYYYMMDD prefix, then LXD-safe characters.
	serialRE = regexp.MustCompile(`^[0-9]{8}[0-9A-Za-z_.-]{0,56}$`)
)

// ValidateProduct checks p and returns its canonical form: the
// architecture normalised (x86_64 becomes amd64), an empty variant set to
// DefaultVariant and an empty release title set to the release. Store and
// publish the returned value, not p. Every problem is reported, joined with
// errors.Join; each wraps ErrBadProduct, ErrBadArch or ErrBadAlias.
func ValidateProduct(p Product) (Product, error) {
	var errs []error
	p = withDefaults(p)
	for _, f := range []struct{ name, value string }{
		{"os", p.OS}, {"release", p.Release}, {"variant", p.Variant},
	} {
		if !nameRE.MatchString(f.value) {
			errs = append(errs, fmt.Errorf("%w: %s must be 1-64 of [A-Za-z0-9._+-], got %q",
				ErrBadProduct, f.name, f.value))
		}
	}
	arch, err := NormaliseArch(p.Arch)
	if err != nil {
		errs = append(errs, err)
	} else {
		p.Arch = arch
	}
	if err := validateTitle(p.ReleaseTitle); err != nil {
		errs = append(errs, err)
	}
	if err := validateAliases(p.Aliases); err != nil {
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

// withDefaults fills the defaults ValidateProduct and ProductID share.
func withDefaults(p Product) Product {
	if p.Variant == "" {
		p.Variant = DefaultVariant
	}
	if p.ReleaseTitle == "" {
		p.ReleaseTitle = p.Release
	}
	if arch, err := NormaliseArch(p.Arch); err == nil {
		p.Arch = arch
	}
	return p
}

func validateTitle(title string) error {
	if len(title) > 128 {
		return fmt.Errorf("%w: release title longer than 128 bytes", ErrBadProduct)
	}
	if strings.IndexFunc(title, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: release title has control characters", ErrBadProduct)
	}
	return nil
}

func validateAliases(aliases string) error {
	if aliases == "" {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range strings.Split(aliases, ",") {
		if !aliasRE.MatchString(a) {
			return fmt.Errorf("%w: %q must be 1-128 of [A-Za-z0-9._/+-], comma-separated without spaces",
				ErrBadAlias, a)
		}
		if seen[a] {
			return fmt.Errorf("%w: %q is listed twice", ErrBadAlias, a)
		}
		seen[a] = true
	}
	return nil
}

// ProductID returns the images.json key of p, "os:release:arch:variant",
// after applying the same defaults and arch normalisation as
// ValidateProduct (so "x86_64" and "amd64" give the same ID).
func ProductID(p Product) string {
	p = withDefaults(p)
	return p.OS + ":" + p.Release + ":" + p.Arch + ":" + p.Variant
}

// SplitAliases splits a comma-separated alias list, dropping empty
// entries, in order. The caller uses it to check alias uniqueness across
// products; ValidateProduct checks the syntax.
func SplitAliases(aliases string) []string {
	var out []string
	for _, a := range strings.Split(aliases, ",") {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ValidateSerial checks a version key: it must start with a real calendar
// date YYYYMMDD (LXD parses it as the image's creation date and silently
// drops any other key), use only [0-9A-Za-z_.-] and be at most 64 bytes.
// "20261126_1831" is the usual form. The error wraps ErrBadSerial.
func ValidateSerial(serial string) error {
	if !serialRE.MatchString(serial) {
		return fmt.Errorf("%w: %q must be YYYYMMDD followed by up to 56 of [0-9A-Za-z_.-]",
			ErrBadSerial, serial)
	}
	if _, err := time.Parse("20060102", serial[:8]); err != nil {
		return fmt.Errorf("%w: %q does not start with a real date", ErrBadSerial, serial)
	}
	return nil
}
