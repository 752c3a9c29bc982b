package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func versionCmd(ctx context.Context, e env, args []string) error {
	fmt.Fprintf(e.stdout, "uivmm %s\n", version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(e.stdout, "go: %s\nmodule: %s\n", bi.GoVersion, bi.Main.Path)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.time", "vcs.modified", "GOOS", "GOARCH":
				fmt.Fprintf(e.stdout, "%s: %s\n", s.Key, s.Value)
			}
		}
	}
	return nil
}
