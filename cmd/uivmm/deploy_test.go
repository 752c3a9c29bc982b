package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uivmm/uivmm/config"
)

// TestDeployConfigLoadsAndNamesEveryKey keeps deploy/config.yaml honest:
// it loads strictly, validates, and mentions every configuration key.
func TestDeployConfigLoadsAndNamesEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "config.yaml")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("deploy/config.yaml does not validate:\n%v", err)
	}
	if cfg.DataDir != "/var/lib/uivmm" || cfg.Addr() != "127.0.0.1:7500" || !cfg.Metrics.Enabled {
		t.Errorf("unexpected example values: data_dir %q, addr %q, metrics %v", cfg.DataDir, cfg.Addr(), cfg.Metrics.Enabled)
	}
	raw, _ := os.ReadFile(path)
	for _, key := range yamlKeys(reflect.TypeOf(config.Config{}), "") {
		leaf := key[strings.LastIndex(key, ".")+1:]
		if !strings.Contains(string(raw), leaf+":") {
			t.Errorf("deploy/config.yaml does not mention %s", key)
		}
	}
}

// yamlKeys lists the dotted YAML keys of a config struct type.
func yamlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type.NumField() > 0 && f.Type.Field(0).Tag.Get("yaml") != "" {
			out = append(out, yamlKeys(f.Type, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}

func TestDeployUnit(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "uivmm.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	for _, line := range []string{
		"User=uivmm",
		"ExecStart=/usr/local/bin/uivmm serve --config /etc/ui-vmm/config.yaml",
		"ProtectSystem=strict",
		"ReadWritePaths=/var/lib/uivmm",
		"NoNewPrivileges=yes",
		"Restart=on-failure",
		"KillSignal=SIGTERM",
		"TimeoutStopSec=45",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("uivmm.service lacks %q", line)
		}
	}
}
