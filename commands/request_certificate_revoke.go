package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/server"
)

// RequestCertificateRevoke asks to remove certificate Fingerprint from a
// server's trust store (certificate.revoke). uivmm's own certificate is
// refused (403). A reactor applies it to LXD and records the outcome.
type RequestCertificateRevoke struct {
	ServerRequest
	Fingerprint string `json:"fingerprint"`
}

// CommandName implements Command.
func (RequestCertificateRevoke) CommandName() string { return "certificate.revoke" }

// NewRequestCertificateRevokeHandler builds the handler.
func NewRequestCertificateRevokeHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(RequestCertificateRevoke{}.CommandName(), func(ctx context.Context, c *RequestCertificateRevoke) (Result, error) {
		return d.requestOn(ctx, &c.ServerRequest, func(s *server.Server, a server.Ask) error {
			return s.RequestCertificateRevoke(a, c.Fingerprint)
		})
	})
}
