package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/uivmm/uivmm/config"
)

// configFlags registers --config and the config package's flags on fs and
// returns a loader to call after fs.Parse: file, then UIVMM_* variables,
// then flags, then validation (which lists every problem).
func configFlags(fs *flag.FlagSet) func() (config.Config, error) {
	cfg := config.Default()
	path := fs.String("config", "", "config file (default "+config.DefaultPath+" when it exists)")
	config.BindFlags(fs, &cfg)
	return func() (config.Config, error) {
		loaded, err := config.Load(config.ResolvePath(*path))
		if err != nil {
			return config.Config{}, err
		}
		cfg = loaded
		if err := cfg.ApplyEnv(os.Getenv); err != nil {
			return config.Config{}, err
		}
		if err := config.ApplyFlags(fs); err != nil {
			return config.Config{}, err
		}
		if err := cfg.Validate(); err != nil {
			return config.Config{}, fmt.Errorf("invalid configuration:\n%w", err)
		}
		return cfg, nil
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
