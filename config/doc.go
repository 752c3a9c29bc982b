// Package config holds uivmm's configuration: the Config struct decoded from
// the original ui-vmm config.yaml (with its keys and units kept, and the ones
// uivmm does not use accepted and ignored), uivmm's own keys, the UIVMM_*
// environment overrides, the command-line flags bound by BindFlags, and
// Validate, which reports every problem at once.
//
// Precedence: Default < Load (file) < ApplyEnv < flags. Nothing here reads
// the process environment or flags by itself; cmd passes them in.
//
// This package imports only the standard library, gopkg.in/yaml.v3 and
// github.com/dustin/go-humanize. It must not import other uivmm packages:
// cmd translates Config into each adapter's own settings.
package config
