package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written in YAML as a Go duration string
// ("90s", "15m", "24h"). Bare integers are refused because their unit would
// be a guess; the keys inherited from the original ui-vmm use Seconds, Hours
// or Days instead.
type Duration struct{ time.Duration }

// Seconds is a time.Duration that also accepts the original ui-vmm's
// integer-seconds form (auth_timeout: 10) besides a Go duration string.
type Seconds struct{ time.Duration }

// Hours is a time.Duration that also accepts a bare integer number of hours,
// the unit of the original simplestream.deletion_interval.
type Hours struct{ time.Duration }

// Days is a time.Duration that also accepts a bare integer number of days,
// the unit of the original simplestream.images_lifetime. Strings may be Go
// durations or end in "d" ("7d").
type Days struct{ time.Duration }

// Bytes is a size in bytes. YAML accepts an integer or a string with a unit
// ("4GiB", "512 KiB", "10MB"; binary and decimal units both work).
type Bytes int64

const day = 24 * time.Hour

// UnmarshalYAML decodes a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeDuration(n, 0, "")
	d.Duration = v
	return typeError(err)
}

// UnmarshalYAML decodes an integer number of seconds or a Go duration string.
func (d *Seconds) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeDuration(n, time.Second, "seconds")
	d.Duration = v
	return typeError(err)
}

// UnmarshalYAML decodes an integer number of hours or a Go duration string.
func (d *Hours) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeDuration(n, time.Hour, "hours")
	d.Duration = v
	return typeError(err)
}

// UnmarshalYAML decodes an integer number of days, "<n>d" or a Go duration
// string.
func (d *Days) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeDuration(n, day, "days")
	d.Duration = v
	return typeError(err)
}

// MarshalYAML writes the duration as a Go duration string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalYAML writes whole seconds as an integer, like the original.
func (d Seconds) MarshalYAML() (any, error) { return marshalUnit(d.Duration, time.Second), nil }

// MarshalYAML writes whole hours as an integer, like the original.
func (d Hours) MarshalYAML() (any, error) { return marshalUnit(d.Duration, time.Hour), nil }

// MarshalYAML writes whole days as an integer, like the original.
func (d Days) MarshalYAML() (any, error) { return marshalUnit(d.Duration, day), nil }

func marshalUnit(d, unit time.Duration) any {
	if d%unit == 0 {
		return int64(d / unit)
	}
	return d.String()
}

// decodeDuration parses a scalar node. unit == 0 means integers are refused.
func decodeDuration(n *yaml.Node, unit time.Duration, unitName string) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("line %d: want a duration, got a %s", n.Line, kindName(n.Kind))
	}
	if n.Tag == "!!int" {
		if unit == 0 {
			return 0, fmt.Errorf("line %d: %q has no unit; write a duration such as \"30s\" or \"24h\"", n.Line, n.Value)
		}
		var i int64
		if err := n.Decode(&i); err != nil {
			return 0, fmt.Errorf("line %d: invalid number of %s %q", n.Line, unitName, n.Value)
		}
		if i > math.MaxInt64/int64(unit) || i < math.MinInt64/int64(unit) {
			return 0, fmt.Errorf("line %d: %d %s is out of range", n.Line, i, unitName)
		}
		return time.Duration(i) * unit, nil
	}
	s := strings.TrimSpace(n.Value)
	if unit == day {
		if v, ok, err := parseDays(s); ok {
			if err != nil {
				return 0, fmt.Errorf("line %d: %w", n.Line, err)
			}
			return v, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("line %d: invalid duration %q", n.Line, n.Value)
	}
	return v, nil
}

// parseDays handles the "<n>d" form; ok is false when s does not end in "d".
func parseDays(s string) (time.Duration, bool, error) {
	num, found := strings.CutSuffix(s, "d")
	if !found {
		return 0, false, nil
	}
	i, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("invalid number of days %q", s)
	}
	if i > math.MaxInt64/int64(day) || i < math.MinInt64/int64(day) {
		return 0, true, fmt.Errorf("%q is out of range", s)
	}
	return time.Duration(i) * day, true, nil
}

// UnmarshalYAML decodes an integer byte count or a size with a unit.
func (b *Bytes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(fmt.Errorf("line %d: want a size, got a %s", n.Line, kindName(n.Kind)))
	}
	v, err := ParseBytes(n.Value)
	if err != nil {
		return typeError(fmt.Errorf("line %d: %w", n.Line, err))
	}
	*b = v
	return nil
}

// MarshalYAML writes the size in the largest IEC unit that is exact
// ("4GiB"), else as an integer.
func (b Bytes) MarshalYAML() (any, error) {
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	unit, v := "", b
	for i := 0; v != 0 && v%1024 == 0 && i < len(units); i++ {
		v, unit = v/1024, units[i]
	}
	if unit == "" {
		return int64(b), nil
	}
	return strconv.FormatInt(int64(v), 10) + unit, nil
}

// ParseBytes parses a byte count such as "1048576", "1MiB" or "4 GiB". A
// leading "-" is kept so that Validate can report the negative size.
func ParseBytes(s string) (Bytes, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	v, err := humanize.ParseBytes(strings.TrimPrefix(s, "-"))
	if err != nil || v > math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	if neg {
		return -Bytes(v), nil
	}
	return Bytes(v), nil
}

// typeError turns err into a *yaml.TypeError, which the decoder collects
// (and goes on decoding) instead of stopping at the first bad value.
func typeError(err error) error {
	if err == nil {
		return nil
	}
	return &yaml.TypeError{Errors: []string{err.Error()}}
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	default:
		return "scalar"
	}
}
