package commands

import (
	"context"

	"github.com/uivmm/uivmm/domain/product"
)

// PublishImageVersion publishes a version whose two files were checked
// whole (simplestreams.BuildVersion) by the caller. A serial ever
// published for the product is a 409. The result's ID is the product's.
type PublishImageVersion struct {
	Envelope
	ProductID    string       `json:"product_id"`
	Serial       string       `json:"serial"`
	Metadata     product.File `json:"metadata"`
	Rootfs       product.File `json:"rootfs"`
	Fingerprint  string       `json:"fingerprint"`
	CombinedKeys []string     `json:"combined_keys"`
	Architecture string       `json:"architecture"`
}

// CommandName implements Command.
func (PublishImageVersion) CommandName() string { return "simplestream.publish" }

// NewPublishImageVersionHandler builds the handler.
func NewPublishImageVersionHandler(d Deps) Handler {
	d.mustHave(false)
	return handler(PublishImageVersion{}.CommandName(), func(ctx context.Context, c *PublishImageVersion) (Result, error) {
		meta := c.Meta()
		vid, err := d.Repo.NextID(ctx, "simplestream-version", meta)
		if err != nil {
			return Result{}, err
		}
		_, res, err := d.updateProduct(ctx, c.ProductID, meta, func(p *product.Product) error {
			return p.Publish(product.VersionPublished{Serial: c.Serial, VersionID: vid, Metadata: c.Metadata,
				Rootfs: c.Rootfs, Fingerprint: c.Fingerprint, CombinedKeys: c.CombinedKeys,
				Architecture: c.Architecture, PublishedAt: d.now().Unix()})
		})
		return res, err
	})
}
