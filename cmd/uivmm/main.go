// Command uivmm is the uivmm control plane: `uivmm serve` runs the API;
// the other subcommands administer a data directory and its event store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "uivmm:", err)
		}
		os.Exit(1)
	}
}

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type subcommand struct {
	name, usage string
	run         func(ctx context.Context, e env, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "serve the API (the default)", serve},
		{"user", "user add --login L --email E --group N --password-stdin", userCmd},
		{"projections", "projections rebuild [name] [--data-dir DIR]", projectionsCmd},
		{"events", "events [filters] [--follow] [--json]: list the history", eventsCmd},
		{"state", "state --at <position|RFC3339> <aggregate> <id>: one aggregate as of then", stateCmd},
		{"store", "store copy --from URL --to URL: copy the whole log", storeCmd},
		{"version", "print the version and build info", versionCmd},
	}
}

// run dispatches to a subcommand; it never exits the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{stdin, stdout, stderr}
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return serve(ctx, e, args)
	}
	for _, sc := range subcommands() {
		if sc.name == args[0] {
			return sc.run(ctx, e, args[1:])
		}
	}
	if args[0] == "help" || args[0] == "-h" {
		for _, sc := range subcommands() {
			fmt.Fprintf(stdout, "  %-12s %s\n", sc.name, sc.usage)
		}
		return nil
	}
	return fmt.Errorf("unknown subcommand %q (try `uivmm help`)", args[0])
}
