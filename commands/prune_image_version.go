package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/product"
)

// PruneImageVersion removes a published version from the image server
// (housekeeping). Pruning twice records nothing; the newest version of a
// product is never pruned (409).
type PruneImageVersion struct {
	Envelope
	ProductID string `json:"product_id"`
	Serial    string `json:"serial"`
	Reason    string `json:"reason"`
}

// CommandName implements Command.
func (PruneImageVersion) CommandName() string { return "simplestream.prune" }

// NewPruneImageVersionHandler builds the handler.
func NewPruneImageVersionHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(PruneImageVersion{}.CommandName(), func(ctx context.Context, c *PruneImageVersion) (Result, error) {
		_, res, err := d.updateProduct(ctx, c.ProductID, c.Meta(), func(p *product.Product) error {
			return p.Prune(c.Serial, c.Reason, d.now())
		})
		return res, err
	})
}
