package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/server"
)

// RequestProfileUpdate asks for profile Name on a server to hold Body
// (YAML, validated by the caller), created when missing, and renamed to
// Rename when set (profile.update). A reactor applies it to LXD and
// records the outcome.
type RequestProfileUpdate struct {
	ServerRequest
	Name   string `json:"name"`
	Body   string `json:"body"`
	Rename string `json:"rename"`
}

// CommandName implements Command.
func (RequestProfileUpdate) CommandName() string { return "profile.update" }

// NewRequestProfileUpdateHandler builds the handler.
func NewRequestProfileUpdateHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(RequestProfileUpdate{}.CommandName(), func(ctx context.Context, c *RequestProfileUpdate) (Result, error) {
		return d.requestOn(ctx, &c.ServerRequest, func(s *server.Server, a server.Ask) error {
			return s.RequestProfileUpdate(a, c.Name, c.Body, c.Rename)
		})
	})
}
