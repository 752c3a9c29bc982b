package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/product"
)

// DiscardImageVersion drops pending files of an unpublished version: the
// version proved invalid, or it was abandoned. Files nil drops them all.
type DiscardImageVersion struct {
	Envelope
	ProductID string         `json:"product_id"`
	Serial    string         `json:"serial"`
	Files     []product.File `json:"files"`
	Reason    string         `json:"reason"`
}

// CommandName implements Command.
func (DiscardImageVersion) CommandName() string { return "simplestream.discard" }

// NewDiscardImageVersionHandler builds the handler.
func NewDiscardImageVersionHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(DiscardImageVersion{}.CommandName(), func(ctx context.Context, c *DiscardImageVersion) (Result, error) {
		_, res, err := d.updateProduct(ctx, c.ProductID, c.Meta(), func(p *product.Product) error {
			p.Discard(c.Serial, c.Files, c.Reason, d.now())
			return nil
		})
		return res, err
	})
}
