package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/uivmm/uivmm/app"
	"github.com/uivmm/uivmm/commands"
	"github.com/uivmm/uivmm/eventstore"
)

// userCmd: `uivmm user add` writes straight to the event store, so it
// works while a server runs on the same store (the server picks the
// events up through its subscription).
func userCmd(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: uivmm user add --login L --email E --group N --password-stdin")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := configFlags(fs)
	login := fs.String("login", "", "login name")
	email := fs.String("email", "", "e-mail address")
	group := fs.Int("group", 4, "group (1 = admin; below 3 is privileged)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !*pwStdin {
		return errors.New("--password-stdin is required: passwords are never taken from the command line")
	}
	pw, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && pw == "" {
		return fmt.Errorf("reading password: %w", err)
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg.EventStoreURL())
	if err != nil {
		return err
	}
	defer store.Close()
	lookup := &logLookup{store: store}
	d := commands.Deps{Repo: commands.NewRepo(store, app.Registry()), Users: lookup}
	meta := eventstore.Metadata{ActorKind: eventstore.ActorSystem, ActorName: "cli", RequestID: newID(), Command: "user.add"}
	res, err := commands.AddUserNow(ctx, d, &commands.AddUser{Envelope: commands.Envelope{Metadata: meta},
		Login: *login, Email: *email, Group: *group, Password: strings.TrimRight(pw, "\r\n")})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %d added (%s)\n", res.ID, *login)
	return nil
}
