package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/server"
)

// RequestProfileDelete asks to delete profile Name on a server
// (profile.delete). A reactor applies it to LXD and records the outcome.
type RequestProfileDelete struct {
	ServerRequest
	Name string `json:"name"`
}

// CommandName implements Command.
func (RequestProfileDelete) CommandName() string { return "profile.delete" }

// NewRequestProfileDeleteHandler builds the handler.
func NewRequestProfileDeleteHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(RequestProfileDelete{}.CommandName(), func(ctx context.Context, c *RequestProfileDelete) (Result, error) {
		return d.requestOn(ctx, &c.ServerRequest, func(s *server.Server, a server.Ask) error {
			return s.RequestProfileDelete(a, c.Name)
		})
	})
}
