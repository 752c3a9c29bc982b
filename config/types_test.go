package config_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/uivmm/uivmm/config"
)

func TestDurationUnits(t *testing.T) {
	type doc struct {
		S config.Seconds  `yaml:"s"`
		H config.Hours    `yaml:"h"`
		D config.Days     `yaml:"d"`
		G config.Duration `yaml:"g"`
	}
	tests := []struct {
		name, yaml string
		want       [4]time.Duration
	}{
		{"original integers", "{s: 10, h: 6, d: 7, g: 1m}", [4]time.Duration{10 * time.Second, 6 * time.Hour, 7 * 24 * time.Hour, time.Minute}},
		{"duration strings", "{s: 1m, h: 90m, d: 36h, g: 250ms}", [4]time.Duration{time.Minute, 90 * time.Minute, 36 * time.Hour, 250 * time.Millisecond}},
		{"days suffix", "{d: 3d}", [4]time.Duration{2: 3 * 24 * time.Hour}},
		{"quoted integer is a string", `{s: "10s"}`, [4]time.Duration{10 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			if err := yaml.Unmarshal([]byte(tt.yaml), &d); err != nil {
				t.Fatal(err)
			}
			got := [4]time.Duration{d.S.Duration, d.H.Duration, d.D.Duration, d.G.Duration}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDurationErrors(t *testing.T) {
	var d struct {
		S config.Seconds `yaml:"s"`
	}
	for _, in := range []string{"s: 99999999999999999", "s: [1]", "s: 1x"} {
		if err := yaml.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want config.Bytes
	}{
		{"1048576", 1 << 20}, {"1MiB", 1 << 20}, {"4 GiB", 4 << 30}, {"10MB", 10_000_000}, {"512KiB", 512 << 10}, {"-1", -1},
	}
	for _, tt := range tests {
		got, err := config.ParseBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := config.ParseBytes("many"); err == nil {
		t.Error(`ParseBytes("many") succeeded`)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c := config.Default()
	c.HTTP.MaxBody = 1000
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"auth_timeout: 10\n", "images_lifetime: 7\n", "deletion_interval: 6\n", "max_upload: 4GiB\n", "max_body: 1000\n", "lifetime: 24h0m0s\n"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("marshalled config lacks %q:\n%s", w, out)
		}
	}
	back, err := config.Parse(out)
	if err != nil {
		t.Fatalf("Parse(Marshal(c)): %v", err)
	}
	if back.HTTP.MaxBody != 1000 || back.SimpleStream.MaxUpload != 4<<30 || back.Codes.Lifetime != c.Codes.Lifetime {
		t.Errorf("round trip changed values: %+v", back)
	}
}
