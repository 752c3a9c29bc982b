package commands

import "context"

// Ping does nothing and writes nothing. It measures the round trip of the
// command bus (`make bench`) and lets health checks prove the bus runs.
type Ping struct {
	Envelope
}

// CommandName implements Command.
func (Ping) CommandName() string { return "system.ping" }

// NewPingHandler builds the handler.
func NewPingHandler() Handler {
	return handler(Ping{}.CommandName(), func(ctx context.Context, c *Ping) (Result, error) {
		return Result{}, nil
	})
}
