package main

import (
	"context"
	"errors"
)

func eventsCmd(ctx context.Context, e env, args []string) error {
	return errors.New("uivmm events is not built yet")
}

func stateCmd(ctx context.Context, e env, args []string) error {
	return errors.New("uivmm state is not built yet")
}
