package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/server"
)

// RequestImageDelete asks to delete image Fingerprint (or a unique
// prefix) from a server (image.delete). A reactor applies it to LXD and
// records the outcome.
type RequestImageDelete struct {
	ServerRequest
	Fingerprint string `json:"fingerprint"`
}

// CommandName implements Command.
func (RequestImageDelete) CommandName() string { return "image.delete" }

// NewRequestImageDeleteHandler builds the handler.
func NewRequestImageDeleteHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(RequestImageDelete{}.CommandName(), func(ctx context.Context, c *RequestImageDelete) (Result, error) {
		return d.requestOn(ctx, &c.ServerRequest, func(s *server.Server, a server.Ask) error {
			return s.RequestImageDelete(a, c.Fingerprint)
		})
	})
}
