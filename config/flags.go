package config

import (
	"errors"
	"flag"
	"fmt"
)

// stringFlag writes into a Config field and remembers its own value, so that
// ApplyFlags can write it again after the Config has been replaced.
type stringFlag struct {
	target *string
	value  string
}

func (f *stringFlag) String() string {
	if f == nil {
		return ""
	}
	return f.value
}

func (f *stringFlag) Set(v string) error {
	f.value = v
	*f.target = v
	return nil
}

// BindFlags registers --addr, --data-dir, --event-store and --mail-outbox on
// fs, writing into c when fs is parsed. The caller owns --config.
//
// Flags win over the file and the environment, but the file is only known
// once flags are parsed. So the usual order is:
//
//	cfg := config.Default()
//	config.BindFlags(fs, &cfg)
//	fs.Parse(args)                             // finds --config
//	cfg, err = config.Load(config.ResolvePath(path))
//	err = cfg.ApplyEnv(os.Getenv)
//	err = config.ApplyFlags(fs)                // flags again, into cfg
//	err = cfg.Validate()
func BindFlags(fs *flag.FlagSet, c *Config) {
	bind := func(name string, target *string, usage string) {
		fs.Var(&stringFlag{target: target, value: *target}, name, usage)
	}
	bind("addr", &c.AddrOverride, "listen address host:port (overrides listen and port; env UIVMM_ADDR)")
	bind("data-dir", &c.DataDir, "data directory (env UIVMM_DATA_DIR)")
	bind("event-store", &c.EventStore.URL,
		"event store URL: sqlite:<path>, esdb://host:2113 or esdb+discover://host:2113 (env UIVMM_EVENT_STORE)")
	bind("mail-outbox", &c.Mail.Outbox, "directory for mail when no SMTP host is set (env UIVMM_MAIL_OUTBOX)")
}

// ApplyFlags sets again every flag of fs that was given on the command line,
// so that flags bound by BindFlags override what Load and ApplyEnv put into
// the same Config afterwards. Other flags of fs are left alone.
func ApplyFlags(fs *flag.FlagSet) error {
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		if _, ok := f.Value.(*stringFlag); !ok {
			return
		}
		if err := f.Value.Set(f.Value.String()); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", f.Name, err))
		}
	})
	return errors.Join(errs...)
}
